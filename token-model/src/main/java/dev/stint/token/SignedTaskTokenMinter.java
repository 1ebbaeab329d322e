package dev.stint.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.SignedJWT;
import dev.stint.token.keys.JcaProviders;
import dev.stint.token.keys.SigningKey;
import java.util.Objects;

/** Signs task claims with one {@link SigningKey}: ES256, its {@code kid}, {@code typ: stint+jwt}. */
public final class SignedTaskTokenMinter implements TaskTokenMinter {

    /** The explicit type of task tokens (RFC 8725, section 3.11). */
    public static final JOSEObjectType TYPE = new JOSEObjectType("stint+jwt");

    private final JWSHeader header;
    private final ECDSASigner signer;

    public SignedTaskTokenMinter(SigningKey key) {
        Objects.requireNonNull(key, "key");
        this.header = new JWSHeader.Builder(key.algorithm()).type(TYPE).keyID(key.kid()).build();
        try {
            this.signer = new ECDSASigner(key.privateJwk());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable signing key " + key.kid(), e);
        }
        if (JcaProviders.ecdsa() != null) {
            signer.getJCAContext().setProvider(JcaProviders.ecdsa());
        }
    }

    @Override
    public String mint(TaskClaims claims) throws KeyUnavailableException {
        SignedJWT jwt = new SignedJWT(header, claims.toClaimsSet());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new KeyUnavailableException("signing failed with key " + header.getKeyID(), e);
        }
        return jwt.serialize();
    }
}
