/** The demo tenants' local-only secrets, as docs/tenants.md gives them. */
export const DEMO = {
  zoo: { password: 'zoo-demo-password', amqpSecret: 'W4gGpZFaqJqLbiA1UMtRRFmj' },
  shop: { password: 'shop-demo-password', amqpSecret: 'ogQ3Bzsu-1ShGMS-fqOD1i7-' },
} as const;
