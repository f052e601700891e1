/** The handler table: one handler per state type, dispatched on the compiled state's `type`. */
import type { CompiledState } from "../engine/compiled.ts";
import { choiceHandler } from "./choice.ts";
import { failHandler } from "./fail.ts";
import type { HandlerTable, StateHandler } from "./handler.ts";
import { mapHandler } from "./map.ts";
import { parallelHandler } from "./parallel.ts";
import { passHandler } from "./pass.ts";
import { succeedHandler } from "./succeed.ts";
import { taskHandler } from "./task.ts";
import { waitHandler } from "./wait.ts";

export const HANDLERS: HandlerTable = {
  Pass: passHandler,
  Task: taskHandler,
  Choice: choiceHandler,
  Wait: waitHandler,
  Succeed: succeedHandler,
  Fail: failHandler,
  Parallel: parallelHandler,
  Map: mapHandler,
};

export function handlerFor<S extends CompiledState>(st: S): StateHandler<S> {
  return HANDLERS[st.type] as unknown as StateHandler<S>;
}

export type { StateHandler, FanHooks } from "./handler.ts";
