// The Canva user token for our backend. Asked for per request (SPEC §5.1: tokens are not
// reused beyond one request; Canva rate-limits this call to 10 per 10 s, hence polling ≥ 2 s).
import { auth } from "@canva/user";

export function getCanvaUserToken(): Promise<string> {
  return auth.getCanvaUserToken();
}
