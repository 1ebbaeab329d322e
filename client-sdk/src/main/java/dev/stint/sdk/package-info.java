/**
 * The Stint client SDK: an agent authenticates with its key ({@link dev.stint.sdk.StintClient}), or a CI
 * job with its OIDC token ({@link dev.stint.sdk.TokenExchangeOptions}),
 * opens a task ({@link dev.stint.sdk.TaskSession}) and takes short-lived, task-scoped tokens and
 * database logins from it. The SDK never serves a credential that has expired, outlived its task,
 * belongs to another tier, or belongs to a task it knows is over; when in doubt it fails with a
 * checked exception instead.
 */
package dev.stint.sdk;
