/** How many alert subscriptions a server reports open on /metrics; `key` where API keys guard /metrics. */
export async function subscriberCount(graphqlUrl: string, key?: string): Promise<number> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const text = await (await fetch(new URL('/metrics', graphqlUrl), { headers })).text();
  return Number(/^driftwatch_alert_subscribers (\d+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * Waits until a server reports `count` open alert subscriptions on /metrics (or fails after 20 s);
 * `key` where API keys guard /metrics.
 */
export async function waitForSubscribers(graphqlUrl: string, count: number, key?: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if ((await subscriberCount(graphqlUrl, key)) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} subscribers registered`);
}
