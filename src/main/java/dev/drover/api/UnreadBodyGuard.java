package dev.drover.api;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Says {@code Connection: close} on an answer given before the request's body was all read — a
 * 401 or 404 sent as soon as the headers arrived. Jetty closes such a connection once the answer
 * is out, since the rest of the body would be read as the next request; without the header a
 * client that keeps connections alive sends its next request on a connection that is closing, and
 * gets no answer.
 */
final class UnreadBodyGuard extends Handler.Wrapper {
    UnreadBodyGuard(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Response guarded = new Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, ByteBuffer content, Callback written) {
                closeUnlessRead(request, this);
                super.write(last, content, written);
            }
        };
        // An answer with no body is committed at completion, after this runs.
        Callback done = Callback.from(() -> closeUnlessRead(request, response), callback);
        return super.handle(request, guarded, done);
    }

    private static void closeUnlessRead(Request request, Response response) {
        if (!response.isCommitted() && !request.consumeAvailable()) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
    }
}
