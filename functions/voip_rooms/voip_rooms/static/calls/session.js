// Who is signed in. On Rocket.Chat's own origin (behind its load balancer), Rocket.Chat's web client keeps
// the user's session in local storage: that session is used as it is. Elsewhere the person signs in with a
// user ID and a personal access token, kept in session storage: this tab only, gone when it closes.

const ROCKET_CHAT_USER = "Meteor.userId";
const ROCKET_CHAT_TOKEN = "Meteor.loginToken";
const SIGNED_IN = "voip-calls.session";
// Set by "Sign out" while a Rocket.Chat session exists: this tab stops using it (Rocket.Chat stays signed in).
const ROCKET_CHAT_DECLINED = "voip-calls.rocket-chat-declined";

/** {userId, token, source: "form" | "rocketchat"} or null. A token entered here wins over Rocket.Chat's. */
export function currentSession() {
  const saved = readSaved();
  if (saved) return { ...saved, source: "form" };
  if (sessionStorage.getItem(ROCKET_CHAT_DECLINED) === null) {
    const userId = localStorage.getItem(ROCKET_CHAT_USER);
    const token = localStorage.getItem(ROCKET_CHAT_TOKEN);
    if (userId && token) return { userId, token, source: "rocketchat" };
  }
  return null;
}

export function signIn(userId, token) {
  sessionStorage.setItem(SIGNED_IN, JSON.stringify({ userId, token }));
}

export function signOut() {
  sessionStorage.removeItem(SIGNED_IN);
  sessionStorage.setItem(ROCKET_CHAT_DECLINED, "1");
}

/** A token the API refused is forgotten; Rocket.Chat's own session is Rocket.Chat's to renew. */
export function forgetRefused(session) {
  if (session.source === "form") sessionStorage.removeItem(SIGNED_IN);
}

/** Whether a change of local storage (another tab) touched Rocket.Chat's session. */
export function isRocketChatSessionChange(key) {
  return key === null || key === ROCKET_CHAT_USER || key === ROCKET_CHAT_TOKEN;
}

function readSaved() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SIGNED_IN) ?? "null");
    return typeof saved?.userId === "string" && typeof saved?.token === "string" && saved.userId && saved.token
      ? { userId: saved.userId, token: saved.token }
      : null;
  } catch {
    return null;
  }
}
