/**
 * Waits until a server reports `count` open alert subscriptions on /metrics (or fails after 20 s);
 * `key` where API keys guard /metrics.
 */
export async function waitForSubscribers(graphqlUrl: string, count: number, key?: string): Promise<void> {
  const metricsUrl = new URL('/metrics', graphqlUrl);
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  for (let attempt = 0; attempt < 400; attempt++) {
    const text = await (await fetch(metricsUrl, { headers })).text();
    const open = Number(/^driftwatch_alert_subscribers (\d+)$/m.exec(text)?.[1] ?? 0);
    if (open >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${count} subscribers registered`);
}
