// The iptables front-ends a node may have, in the order they are tried: the nemesis's network
// faults use the first that works there (harness/nemesis/iptables.ts), so whatever checks for
// iptables on a host or removes the harness's chains by hand looks at the same ones.
// nft first: Docker writes its own in-container rules with nft, and mixing back-ends in one
// namespace only produces warnings. Plain `iptables` last: an ssh host may have only that.
export const IPTABLES_FRONT_ENDS = ["iptables-nft", "iptables-legacy", "iptables"] as const;
