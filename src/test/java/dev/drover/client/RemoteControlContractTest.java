package dev.drover.client;

import dev.drover.api.ApiHandler;
import dev.drover.api.ApiServer;
import dev.drover.control.Control;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.nio.file.Path;

/** The contract through the whole stack: client, HTTP over a real Unix socket, API, engine. */
class RemoteControlContractTest extends ControlContract {
    private ApiServer server;

    @Override
    Control controlFor(Engine engine, Path dir) throws Exception {
        EngineControl local = new EngineControl(engine, force -> engine.shutdown());
        server = ApiServer.start(local, new ApiHandler(local), dir.resolve("drover.sock"));
        return new RemoteControl(server.socket());
    }

    @Override
    void release() {
        if (server != null) {
            server.stop();
        }
    }
}
