package dev.stint.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeySealerTest {

    private static final byte[] MASTER = masterKey((byte) 7);
    private static final byte[] SECRET = "{\"kty\":\"EC\",\"d\":\"c2VjcmV0\"}".getBytes(StandardCharsets.UTF_8);
    private static final String AAD = "signing-key:stint-0123456789abcdef";

    private final KeySealer sealer = new KeySealer(MASTER);

    private static byte[] masterKey(byte fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, fill);
        return key;
    }

    private static byte[] decode(String sealed) {
        return Base64.getUrlDecoder().decode(sealed);
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Test
    void openReturnsWhatWasSealed() throws Exception {
        assertThat(sealer.open(sealer.seal(SECRET, AAD), AAD)).isEqualTo(SECRET);
    }

    @Test
    void emptyPlaintextRoundTrips() throws Exception {
        assertThat(sealer.open(sealer.seal(new byte[0], AAD), AAD)).isEmpty();
    }

    @Test
    void anotherSealerWithTheSameMasterKeyOpens() throws Exception {
        String sealed = sealer.seal(SECRET, AAD);

        assertThat(new KeySealer(masterKey((byte) 7)).open(sealed, AAD)).isEqualTo(SECRET);
    }

    @Test
    void sealedValueDoesNotContainThePlaintext() {
        String sealed = sealer.seal(SECRET, AAD);

        assertThat(new String(decode(sealed), StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(SECRET, StandardCharsets.ISO_8859_1));
    }

    @Test
    void sealedValueIsVersionNonceCiphertextAndTag() {
        byte[] sealed = decode(sealer.seal(SECRET, AAD));

        assertThat(sealed[0]).isEqualTo((byte) 1);
        assertThat(sealed).hasSize(1 + 12 + SECRET.length + 16);
    }

    @Test
    void twoSealsOfTheSamePlaintextDiffer() {
        assertThat(sealer.seal(SECRET, AAD)).isNotEqualTo(sealer.seal(SECRET, AAD));
    }

    @Test
    void twoSealsUseDifferentNonces() {
        byte[] first = decode(sealer.seal(SECRET, AAD));
        byte[] second = decode(sealer.seal(SECRET, AAD));

        assertThat(Arrays.copyOfRange(first, 1, 13)).isNotEqualTo(Arrays.copyOfRange(second, 1, 13));
    }

    static Stream<Arguments> unopenable() {
        KeySealer sealer = new KeySealer(MASTER);
        String sealed = sealer.seal(SECRET, AAD);
        byte[] bytes = decode(sealed);

        byte[] ciphertextFlipped = bytes.clone();
        ciphertextFlipped[14] ^= 0x01;
        byte[] tagFlipped = bytes.clone();
        tagFlipped[bytes.length - 1] ^= 0x01;
        byte[] nonceFlipped = bytes.clone();
        nonceFlipped[1] ^= 0x01;
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 2;

        return Stream.of(
                arguments("ciphertext bit flipped", encode(ciphertextFlipped), AAD),
                arguments("tag bit flipped", encode(tagFlipped), AAD),
                arguments("nonce bit flipped", encode(nonceFlipped), AAD),
                arguments("unknown version byte", encode(otherVersion), AAD),
                arguments("associated data of another kid", sealed, "signing-key:stint-fedcba9876543210"),
                arguments("associated data empty", sealed, ""),
                arguments("truncated by one byte", encode(Arrays.copyOf(bytes, bytes.length - 1)), AAD),
                arguments("truncated to version and nonce", encode(Arrays.copyOf(bytes, 13)), AAD),
                arguments("truncated to one byte short of the minimum", encode(Arrays.copyOf(bytes, 28)), AAD),
                arguments("extended by one byte", encode(Arrays.copyOf(bytes, bytes.length + 1)), AAD),
                arguments("empty", "", AAD),
                arguments("not base64", "!!! not base64 !!!", AAD),
                arguments("standard base64 alphabet", Base64.getEncoder().encodeToString(
                        new byte[] {1, (byte) 0xfb, (byte) 0xff, 0x3e, (byte) 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00}), AAD),
                arguments("a single base64 character", "A", AAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unopenable")
    void openRefusesForgedOrDamagedValue(String name, String sealed, String associatedData) {
        assertThatThrownBy(() -> sealer.open(sealed, associatedData))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void openRefusesValueSealedUnderAnotherMasterKey() {
        String sealed = new KeySealer(masterKey((byte) 8)).seal(SECRET, AAD);

        assertThatThrownBy(() -> sealer.open(sealed, AAD)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void openRefusesNonBase64WithAClearReason() {
        assertThatThrownBy(() -> sealer.open("***", AAD))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("sealed value is not base64url");
    }

    @Test
    void openRefusesTooShortValueWithAClearReason() {
        assertThatThrownBy(() -> sealer.open(encode(new byte[] {1, 2, 3}), AAD))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessage("sealed value has an unknown format");
    }

    @Test
    void sealerCopiesTheMasterKey() throws Exception {
        byte[] master = masterKey((byte) 9);
        KeySealer own = new KeySealer(master);
        String sealed = own.seal(SECRET, AAD);

        Arrays.fill(master, (byte) 0);

        assertThat(own.open(sealed, AAD)).isEqualTo(SECRET);
    }

    static Stream<Arguments> wrongMasterKeySizes() {
        return Stream.of(
                arguments("empty", 0),
                arguments("16 bytes (AES-128)", 16),
                arguments("24 bytes (AES-192)", 24),
                arguments("31 bytes", 31),
                arguments("33 bytes", 33),
                arguments("64 bytes", 64));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongMasterKeySizes")
    void masterKeyMustBe32Bytes(String name, int size) {
        assertThatThrownBy(() -> new KeySealer(new byte[size]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the master key must be 32 bytes");
    }

    @Test
    void masterKeyIsRequired() {
        assertThatThrownBy(() -> new KeySealer(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("masterKey");
    }
}
