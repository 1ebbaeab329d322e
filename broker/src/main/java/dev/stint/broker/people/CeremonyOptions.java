package dev.stint.broker.people;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options the pages pass to {@code navigator.credentials.create} and {@code .get}, with
 * binary values in base64url (the page's script decodes them).
 */
final class CeremonyOptions {

    private CeremonyOptions() {
    }

    static Map<String, Object> creation(Ceremony ceremony, Person person, List<Passkey> existing, RelyingParty rp,
            long timeoutMs) {
        Map<String, Object> publicKey = new LinkedHashMap<>();
        publicKey.put("challenge", ceremony.challenge());
        publicKey.put("rp", Map.of("id", rp.id(), "name", RelyingParty.NAME));
        publicKey.put("user", Map.of("id", ceremony.userHandle(), "name", person.email(),
                "displayName", person.displayName()));
        publicKey.put("pubKeyCredParams", PasskeyVerifier.ALGORITHMS.stream()
                .map(p -> Map.of("type", "public-key", "alg", p.getAlg().getValue())).toList());
        publicKey.put("authenticatorSelection", Map.of("residentKey", "required", "requireResidentKey", true,
                "userVerification", "required"));
        publicKey.put("attestation", "none");
        publicKey.put("timeout", timeoutMs);
        publicKey.put("excludeCredentials", existing.stream()
                .map(p -> Map.of("type", "public-key", "id", p.credentialId())).toList());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ceremony_id", ceremony.id());
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("person_id", person.id());
        who.put("email", person.email());
        who.put("name", person.name());
        body.put("person", who);
        body.put("public_key", publicKey);
        return body;
    }

    static Map<String, Object> request(Ceremony ceremony, RelyingParty rp, long timeoutMs) {
        Map<String, Object> publicKey = new LinkedHashMap<>();
        publicKey.put("challenge", ceremony.challenge());
        publicKey.put("rpId", rp.id());
        publicKey.put("userVerification", "required");
        publicKey.put("timeout", timeoutMs);
        publicKey.put("allowCredentials", List.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ceremony_id", ceremony.id());
        body.put("public_key", publicKey);
        return body;
    }
}
