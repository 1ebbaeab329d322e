package dev.stint.sdk;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.Objects;

/**
 * Creating, storing and loading an agent's private key (a P-256 JWK). None of these methods puts
 * key material into an exception message.
 */
public final class AgentKeys {

    /** Every agent key is P-256: the broker verifies client assertions as ES256. */
    private static final Curve CURVE = Curve.P_256;

    private AgentKeys() {
    }

    /**
     * A fresh P-256 key for ES256 signatures. Its kid is the RFC 7638 thumbprint: stable, unique,
     * and it reveals nothing.
     */
    public static ECKey generate() {
        try {
            return new ECKeyGenerator(CURVE)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    /**
     * Reads a private P-256 JWK with a kid from a JSON file.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it does not hold a usable private agent key
     */
    public static ECKey load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String json = Files.readString(file, StandardCharsets.UTF_8);
        JWK jwk;
        try {
            jwk = JWK.parse(json);
        } catch (ParseException e) {
            // No cause attached: JSON parser messages may quote the input, which is a private key.
            throw new IllegalArgumentException("agent key file " + file + " is not a JSON Web Key");
        }
        if (!(jwk instanceof ECKey)) {
            throw new IllegalArgumentException("agent key file " + file + " must hold an EC key (P-256)");
        }
        ECKey key = (ECKey) jwk;
        try {
            requireUsable(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent key file " + file + ": " + e.getMessage());
        }
        return key;
    }

    /**
     * Writes the private key as JSON to a new file readable only by its owner (mode 0600 on POSIX
     * file systems, set at creation so there is no moment when others can read it).
     *
     * @throws java.nio.file.FileAlreadyExistsException when {@code file} exists: a key is never overwritten
     * @throws IOException when the file cannot be written
     */
    public static void writePrivate(ECKey key, Path file) throws IOException {
        requireUsable(key);
        Objects.requireNonNull(file, "file");
        byte[] json = key.toJSONString().getBytes(StandardCharsets.UTF_8);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.write(file, json, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The JWK Set holding only the public half, as the broker registers it. */
    public static String publicJwkSetJson(ECKey key) {
        Objects.requireNonNull(key, "key");
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    static void requireUsable(ECKey key) {
        Objects.requireNonNull(key, "key");
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("the agent key must include its private part");
        }
        if (!CURVE.equals(key.getCurve())) {
            throw new IllegalArgumentException("the agent key must be on curve P-256 (ES256)");
        }
        if (key.getKeyID() == null || key.getKeyID().isBlank()) {
            throw new IllegalArgumentException("the agent key needs a kid");
        }
    }
}
