package dev.stint.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bare HTTP/1.1 client over a socket, for what well-behaved clients never send: malformed
 * heads, half-sent requests, bodies in pieces. Every read has a timeout, so no test hangs.
 */
final class RawHttp {

    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RawHttp() {
    }

    /** One response: status, headers by lower-case name, body as text. */
    record Answer(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    static Socket connect(int port) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(Math.toIntExact(READ_TIMEOUT.toMillis()));
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} (ISO-8859-1) on a new connection and reads one response. */
    static Answer exchange(int port, String request) {
        try (Socket socket = connect(port)) {
            send(socket, request);
            return read(socket, request.startsWith("HEAD "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void send(Socket socket, String bytes) throws IOException {
        socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one response from {@code socket}; a HEAD, 1xx, 204 or 304 response has no body to read. */
    static Answer read(Socket socket, boolean head) throws IOException {
        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        byte[] body;
        String length = headers.get("content-length");
        if (head || status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * How long the server takes to close {@code socket}, counted from {@code since} (a
     * {@link System#nanoTime()}), discarding what it sends meanwhile.
     *
     * @throws AssertionError when it is still open {@code limit} after {@code since}
     */
    static Duration closedAfter(Socket socket, long since, Duration limit) {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = limit.toMillis() - Duration.ofNanos(System.nanoTime() - since).toMillis();
                if (left <= 0) {
                    throw new AssertionError("the connection is still open after " + limit);
                }
                socket.setSoTimeout(Math.toIntExact(left));
                if (in.read() == -1) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open after " + limit, e);
        } catch (IOException e) {
            // reset by the server: closed as well
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = out.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            out.write(b);
        }
        return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
    }
}
