package dev.drover.client;

import dev.drover.control.Control;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.nio.file.Path;

/** The contract against the engine itself. */
class EngineControlContractTest extends ControlContract {
    @Override
    Control controlFor(Engine engine, Path dir) {
        return new EngineControl(engine, force -> engine.shutdown());
    }
}
