/**
 * Runs `refresh` now and then every `intervalMs` until stopped: the views
 * stay live by polling the API.
 *
 * @example
 * const poller = new Poller(() => view.refresh(), 5000);
 * await poller.start();
 */
export class Poller {
  private timer: number | undefined;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.stop();
    await this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), this.intervalMs);
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
  }
}
