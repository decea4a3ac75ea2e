// Group members that run in a process of their own (@platformatic/kafka's and librdkafka's), so a
// crash is what the issue asks for: the member's process is SIGKILLed. Every connection drops at
// once, no LeaveGroup goes out, nothing more is committed, and the group notices only when the
// session times out. Neither library can die that way inside a living process: librdkafka's close
// always leaves the group (rd_kafka_consumer_close), and @platformatic/kafka's heartbeat timer and
// connection pools are private, so dropping its sockets would only make it reconnect.
//
// The child (group-child.ts) runs the library and the shared delivery logic (group-driver.ts) and
// sends each thing to record as a message; this side replays them into the member's GroupRecorder,
// the only place anything is recorded. Messages of a child arrive in order, and a crash is recorded
// only after the child's IPC channel closed: everything it did before it died is in the history,
// then the crash, then nothing more of it.
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { ClientSecurity } from "../protocol/security.ts";
import { packageFile } from "../util/package-root.ts";
import type { ClientContext } from "./context.ts";
import type { GroupSink } from "./group-driver.ts";
import type { GroupClient, GroupMember, GroupMemberOptions, GroupProtocol } from "./group-member.ts";
import { type CommitOutcome, GroupRecorder } from "./group-recorder.ts";

/** The libraries whose members run forked (each has a session factory group-child.ts loads). */
export type ForkedLibrary = "platformatic" | "confluent";

export type ToChild =
  | { t: "init"; library: ForkedLibrary; opts: GroupMemberOptions; bootstrap: string[]; security?: ClientSecurity }
  | { t: "stall"; ms: number }
  | { t: "crash-after-commit" }
  | { t: "leave" };

/** The GroupSink calls a child forwards as they are (errors as text). */
export type SinkCall = {
  [M in Exclude<keyof GroupSink, "commit">]: { t: "sink"; m: M; args: Parameters<GroupSink[M]> };
}[Exclude<keyof GroupSink, "commit">];

export type FromChild =
  | SinkCall
  | { t: "commit"; id: number; offsets: Record<string, number> }
  | { t: "commit-done"; id: number; outcome: CommitOutcome; error?: string }
  | { t: "dying"; window: "after-commit" }
  /** The last message before a clean exit: written means everything before it was too. */
  | { t: "bye" };

/** How long leave() waits for the child to leave and exit before it kills it. */
const LEAVE_WAIT_MS = 60_000;

/** A GroupClient whose members are forked processes running `library`. */
export function forkedGroupClient(library: ForkedLibrary, protocols: readonly GroupProtocol[]): GroupClient {
  return { protocols, openMember: (ctx, opts) => ForkedGroupMember.open(library, ctx, opts) };
}

/** The child's entry point: the TypeScript source through tsx where the sources are (this
 *  repository), else the compiled module of the installed package. */
function childEntry(): { path: string; execArgv: string[] } {
  const source = packageFile("harness", "clients", "group-child.ts");
  if (existsSync(source)) {
    const tsx = pathToFileURL(createRequire(packageFile("package.json")).resolve("tsx")).href;
    return { path: source, execArgv: ["--import", tsx] };
  }
  return { path: packageFile("dist", "harness", "clients", "group-child.js"), execArgv: [] };
}

/** Applies one message of the child to the recorder. Returns what the member waits on. Exported for tests. */
export function applyChildMessage(
  rec: GroupRecorder,
  msg: FromChild,
  commits: Map<number, (outcome: CommitOutcome, error?: unknown) => void>,
): void {
  switch (msg.t) {
    case "commit":
      commits.set(msg.id, rec.commit(msg.offsets));
      return;
    case "commit-done":
      commits.get(msg.id)?.(msg.outcome, msg.error);
      commits.delete(msg.id);
      return;
    case "dying":
    case "bye":
      return;
    case "sink":
      switch (msg.m) {
        case "delivered":
          rec.polls.delivered(...msg.args);
          return;
        case "subscribing":
          rec.subscribing(...msg.args);
          return;
        case "subscribed":
          rec.subscribed(...msg.args);
          return;
        case "subscribeFailed":
          rec.subscribeFailed(...msg.args);
          return;
        case "assigned":
          rec.assigned(...msg.args);
          return;
        case "revoked":
          rec.revoked(...msg.args);
          return;
        case "autoCommitted":
          rec.autoCommitted(...msg.args);
          return;
        case "leaving":
          rec.leaving();
          return;
        case "left":
          rec.left(...msg.args);
          return;
        case "failed":
          rec.failed(...msg.args);
          return;
        case "stalling":
          rec.stalling(...msg.args);
          return;
        case "stalled":
          rec.stalled(...msg.args);
          return;
      }
  }
}

export class ForkedGroupMember implements GroupMember {
  readonly process: number;
  private readonly rec: GroupRecorder;
  private readonly commits = new Map<number, (outcome: CommitOutcome, error?: unknown) => void>();
  private readonly child: ChildProcess;
  private readonly ended: Promise<void>;
  private exited = false;
  /** What the harness asked, so the child's end is recorded as that (else: the library gave up). */
  private killedFor: "now" | "after-commit" | undefined;
  private dyingWindow: "after-commit" | undefined;
  private stallWaiters: (() => void)[] = [];
  private subscribeWaiter: (() => void) | undefined;
  private sawLeaving = false;

  private constructor(
    library: ForkedLibrary,
    ctx: ClientContext,
    private readonly opts: GroupMemberOptions,
  ) {
    this.process = ctx.nextProcess();
    this.rec = new GroupRecorder(this.process, ctx, opts.groupId);
    const { path, execArgv } = childEntry();
    this.child = fork(path, [], { execArgv, serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
    let exitSeen = false;
    let channelClosed = false;
    this.ended = new Promise((resolve) => {
      const maybeEnd = () => {
        if (!exitSeen || !channelClosed) return;
        this.exited = true;
        this.recordEnd();
        resolve();
      };
      this.child.on("exit", (code, signal) => {
        exitSeen = true;
        this.exitDetail = `member process exited (code ${code}, signal ${signal})`;
        // The channel closes with the process; wait for it so every message sent before is applied.
        setTimeout(() => {
          channelClosed = true;
          maybeEnd();
        }, 2000).unref();
        maybeEnd();
      });
      this.child.on("disconnect", () => {
        channelClosed = true;
        maybeEnd();
      });
    });
    this.child.on("message", (msg: FromChild) => this.onMessage(msg));
    this.child.on("error", () => undefined); // a failed send to a dead child: its end is recorded by exit
    this.child.send({ t: "init", library, opts, bootstrap: ctx.bootstrap(), security: ctx.security } satisfies ToChild);
  }

  private exitDetail = "member process exited";

  /** Forks the member and waits until it subscribed (or failed to: then it is not alive). */
  static async open(library: ForkedLibrary, ctx: ClientContext, opts: GroupMemberOptions): Promise<ForkedGroupMember> {
    const m = new ForkedGroupMember(library, ctx, opts);
    await Promise.race([new Promise<void>((r) => (m.subscribeWaiter = r)), m.ended]);
    return m;
  }

  get alive(): boolean {
    return !this.exited && !this.rec.done;
  }

  nextDelivery(timeoutMs: number): Promise<void> {
    return Promise.race([this.rec.polls.nextDelivery(timeoutMs), this.ended]);
  }

  async leave(): Promise<void> {
    if (!this.alive) return;
    this.send({ t: "leave" });
    // Stuck before it began to leave: a kill, recorded as a crash; stuck while leaving: the leave is unknown.
    const timer = setTimeout(() => (this.sawLeaving ? this.child.kill("SIGKILL") : this.kill("now")), LEAVE_WAIT_MS);
    await this.ended;
    clearTimeout(timer);
  }

  async crash(window: "now" | "after-commit" = "now"): Promise<void> {
    if (!this.alive) return;
    if (window === "after-commit" && this.opts.commit === "before") {
      this.killedFor = "after-commit";
      this.send({ t: "crash-after-commit" });
      // No delivery with an acknowledged commit in time (nothing to read, the coordinator down):
      // it dies now instead, and is recorded so.
      const timer = setTimeout(() => this.kill("now"), Math.max(30_000, 3 * this.opts.sessionTimeoutMs));
      await this.ended;
      clearTimeout(timer);
      return;
    }
    this.kill("now");
    await this.ended;
  }

  async stall(ms: number): Promise<void> {
    if (!this.alive) return;
    const stalled = new Promise<void>((r) => this.stallWaiters.push(r));
    this.send({ t: "stall", ms });
    await Promise.race([stalled, this.ended]);
  }

  private kill(why: "now"): void {
    this.killedFor = why;
    this.child.kill("SIGKILL");
  }

  private send(msg: ToChild): void {
    try {
      this.child.send(msg);
    } catch {
      // The child is gone: its end is recorded when its exit is seen.
    }
  }

  private onMessage(msg: FromChild): void {
    // Once the end is recorded nothing more of this member is (the recorder ignores most of it too).
    if (this.exited) return;
    if (msg.t === "dying") this.dyingWindow = msg.window;
    if (msg.t === "sink" && msg.m === "leaving") this.sawLeaving = true;
    applyChildMessage(this.rec, msg, this.commits);
    if (msg.t === "sink" && (msg.m === "subscribed" || msg.m === "subscribeFailed")) this.subscribeWaiter?.();
    if (msg.t === "sink" && msg.m === "stalled") for (const w of this.stallWaiters.splice(0)) w();
  }

  /** The child is gone and its messages applied: record how it ended, unless it recorded that itself. */
  private recordEnd(): void {
    for (const w of this.stallWaiters.splice(0)) w();
    if (this.rec.done) return;
    if (this.dyingWindow) this.rec.crashed(this.dyingWindow);
    else if (this.killedFor === "now") this.rec.crashed("now");
    else if (this.sawLeaving) this.rec.left("info", `${this.exitDetail} before it finished leaving`);
    else this.rec.failed(this.exitDetail);
  }
}
