// The agents the page has met in the calls it read, so that the agent filter takes what people know: the
// username the Agent column shows (li.agent) as well as the user ID the API filters by (servedBy._id).

export class Agents {
  constructor() {
    this.usernames = new Map(); // agent id → username ("" when a room names none)
  }

  /** Learns the agents who served these rooms. */
  learn(rooms) {
    for (const room of rooms) {
      const { _id: id, username } = room.servedBy ?? {};
      if (typeof id === "string" && id) this.usernames.set(id, typeof username === "string" ? username : "");
    }
  }

  /**
   * The agent filter's entries as IDs: an agent's ID as it is, the username of an agent met as its ID.
   * Anything else goes to the API as it was typed: the ID of an agent not met yet, or a mistake that unmet() tells.
   */
  ids(entries) {
    const byUsername = new Map([...this.usernames].map(([id, username]) => [username.toLowerCase(), id]));
    return entries.map((entry) => (this.usernames.has(entry) ? entry : (byUsername.get(entry.toLowerCase()) ?? entry)));
  }

  /** The IDs in a view's filter, for the field: each agent's username where known, else the ID. */
  names(ids) {
    return ids.map((id) => this.usernames.get(id) || id);
  }

  /** IDs among these that no room read so far was served by. */
  unmet(ids) {
    return ids.filter((id) => !this.usernames.has(id));
  }

  /** [username or ID, ID] for the field's suggestions, by username. */
  suggestions() {
    return [...this.usernames]
      .map(([id, username]) => [username || id, id])
      .sort(([a], [b]) => a.localeCompare(b));
  }
}
