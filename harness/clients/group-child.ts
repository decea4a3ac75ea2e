// The process one forked group member runs in (group-process.ts): it loads the library's session,
// runs the shared member logic (group-driver.ts) and sends everything to record to the parent, in
// order. A crash "after-commit" kills this process with SIGKILL from inside, right after the commit
// was acknowledged; a crash "now" is the parent's SIGKILL.
import type { GroupSink, LibrarySession, SessionFactory } from "./group-driver.ts";
import { MemberCore } from "./group-driver.ts";
import type { FromChild, SinkCall, ToChild } from "./group-process.ts";
import { loadGroupSession } from "./registry.ts";

const send = (msg: FromChild, then?: () => void) => process.send?.(msg, undefined, {}, then ? () => then() : undefined);

/** Errors travel as their text (what the recorder would make of them anyway). */
const plain = (v: unknown) => (v instanceof Error ? String(v) : v);

function call<M extends SinkCall["m"]>(m: M) {
  return (...args: unknown[]) => send({ t: "sink", m, args: args.map(plain) } as SinkCall);
}

function ipcSink(): GroupSink {
  let nextId = 0;
  return {
    subscribing: call("subscribing"),
    subscribed: call("subscribed"),
    subscribeFailed: call("subscribeFailed"),
    assigned: call("assigned"),
    revoked: call("revoked"),
    delivered: call("delivered"),
    autoCommitted: call("autoCommitted"),
    leaving: call("leaving"),
    left: call("left"),
    failed: call("failed"),
    stalling: call("stalling"),
    stalled: call("stalled"),
    commit(offsets) {
      const id = nextId++;
      send({ t: "commit", id, offsets });
      return (outcome, error) => send({ t: "commit-done", id, outcome, ...(error === undefined ? {} : { error: String(error) }) });
    },
  };
}

/** Exits once everything sent so far is written (the last message's callback). */
function exitAfterFlush(code: number): void {
  const timer = setTimeout(() => process.exit(code), 2000);
  send({ t: "bye" }, () => {
    clearTimeout(timer);
    process.exit(code);
  });
}

async function main(init: Extract<ToChild, { t: "init" }>): Promise<void> {
  const sink = ipcSink();
  const factory = await loadGroupSession(init.library);
  let session: LibrarySession;
  try {
    session = factory({ opts: init.opts, bootstrap: init.bootstrap, security: init.security, hooks: sink });
  } catch (err) {
    // The library refused its settings: a subscribe that failed.
    sink.subscribing(init.opts.keys);
    sink.subscribeFailed(init.opts.keys, err);
    exitAfterFlush(1);
    return;
  }
  const core = new MemberCore(init.opts, sink, session, (window) => {
    send({ t: "dying", window }, () => process.kill(process.pid, "SIGKILL"));
    return new Promise<never>(() => undefined);
  });
  let leaving = false;
  process.on("message", (msg: ToChild) => {
    if (msg.t === "stall") void core.stall(msg.ms);
    else if (msg.t === "crash-after-commit") core.armCrashAfterCommit();
    else if (msg.t === "leave" && !leaving) {
      leaving = true;
      void core.leave().then(() => exitAfterFlush(0));
    }
  });
  process.on("uncaughtException", (err) => {
    sink.failed(err);
    exitAfterFlush(1);
  });
  await core.run();
  // The library gave up (or the subscribe failed): this member is done.
  if (!leaving) exitAfterFlush(1);
}

process.once("message", (msg: ToChild) => {
  if (msg.t === "init") void main(msg);
});
// The parent went away (its run ended without leaving): nothing is left to record to.
process.on("disconnect", () => process.exit(0));
