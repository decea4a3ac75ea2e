// Two removals of one cluster at once (a test worker's exit hook beside the global teardown): the
// second `docker rm` fails only because the first is under way, which is not a failure to clean up.
import { describe, expect, it } from "vitest";
import { removedElsewhere } from "../../harness/cluster/cleanup.ts";

describe("removedElsewhere", () => {
  it("every container already being removed, or gone: someone else is cleaning up", () => {
    expect(
      removedElsewhere(
        "docker rm -f -v 408eb454bd4a 2af4f1c96a9c failed (exit 1):\nError response from daemon: removal of container 408eb454bd4a is already in progress\nError response from daemon: No such container: 2af4f1c96a9c\n",
      ),
    ).toBe(true);
  });

  it("any other error, or none named, is a real failure", () => {
    expect(
      removedElsewhere(
        "Error response from daemon: removal of container 408eb454bd4a is already in progress\nError response from daemon: cannot remove container 2af: device or resource busy",
      ),
    ).toBe(false);
    expect(removedElsewhere("Cannot connect to the Docker daemon at unix:///var/run/docker.sock")).toBe(false);
    expect(removedElsewhere("")).toBe(false);
  });
});
