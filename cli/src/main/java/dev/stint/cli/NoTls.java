package dev.stint.cli;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * For an HTTP client that will only ever speak plain http (a broker on http, no https token
 * service): a TLS context that trusts no one, so that building the client does not load and
 * parse the JDK's trust store, a third of a second of start-up spent for nothing. Were a TLS
 * connection attempted anyway, it would fail: nothing is trusted.
 */
final class NoTls {

    private NoTls() {
    }

    static void apply(HttpClient.Builder builder) {
        try {
            SSLContext trustsNoOne = SSLContext.getInstance("TLSv1.3");
            trustsNoOne.init(new KeyManager[0], new TrustManager[0], null);
            builder.sslContext(trustsNoOne).sslParameters(new SSLParameters());
        } catch (GeneralSecurityException e) {
            // No such context: keep the JDK's default, which is only slower.
        }
    }
}
