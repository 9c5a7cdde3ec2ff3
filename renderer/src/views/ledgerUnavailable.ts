/** What the usage view says when the core runs without its ledger: a calm state, not an error. */
export const LEDGER_UNAVAILABLE = {
  icon: 'usage' as const,
  title: 'Usage is not being recorded',
  text: 'The usage ledger is not running in this Pathwise, so there is no usage, cost or energy to show. Restart Pathwise; if it stays like this, run "pathwise usage" in a terminal to see why.',
};
