package dev.stint.cli;

import java.net.http.HttpClient;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * For an HTTP client that only ever speaks plain http (a broker on http, no https token service):
 * a TLS context that cannot make a TLS connection at all. The JDK's HTTP client asks for a TLS
 * context when it is built, and the default one loads and parses the trust store and sets up
 * every cipher suite: a good part of stint's start-up, spent for nothing. Were a TLS connection
 * attempted anyway, it fails.
 */
final class NoTls {

    private NoTls() {
    }

    static void apply(HttpClient.Builder builder) {
        // The client's own SSLParameters, so that it does not ask the context for its defaults.
        builder.sslContext(new Context()).sslParameters(new SSLParameters());
    }

    private static final class Context extends SSLContext {
        Context() {
            super(new Refusing(), new Provider("stint-no-tls", "1", "no TLS: plain http only") {
                private static final long serialVersionUID = 1L;
            }, "none");
        }
    }

    private static final class Refusing extends SSLContextSpi {

        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("TLS is not set up: stint was given only http URLs");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }
    }
}
