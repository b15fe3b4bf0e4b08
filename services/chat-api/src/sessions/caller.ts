/** The chat user a request is made by, from its access token (`sub`, `name`). */
export interface Caller {
  readonly id: string;
  readonly username: string;
}
