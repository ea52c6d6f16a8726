// Spring AMQP's CachingConnectionFactory in CHANNEL mode, on amqplib: channels are created on demand,
// returned to a cache of CHANNEL_CACHE_SIZE (25, Spring's default), and reused; with a checkout timeout
// set, the cache size is also the limit (Spring's channelCheckoutTimeout), so callers wait for a free
// channel instead of opening a 26th.
import type { ChannelModel, ConfirmChannel } from 'amqplib';

export class ChannelCache {
  private readonly idle: ConfirmChannel[] = [];
  private readonly waiting: Array<{ resolve: (ch: ConfirmChannel) => void; timer: NodeJS.Timeout }> = [];
  private opened = 0;

  constructor(
    private readonly connection: ChannelModel,
    private readonly size = 25,
    private readonly checkoutTimeoutMs = 5_000,
  ) {}

  async checkout(): Promise<ConfirmChannel> {
    const cached = this.idle.pop();
    if (cached) return cached;
    if (this.opened < this.size) {
      this.opened++;
      return this.connection.createConfirmChannel().catch((err: Error) => {
        this.opened--;
        throw err;
      });
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new Error(`no channel free within ${this.checkoutTimeoutMs} ms (cache of ${this.size})`));
        }, this.checkoutTimeoutMs),
      };
      this.waiting.push(waiter);
    });
  }

  release(channel: ConfirmChannel): void {
    const next = this.waiting.shift();
    if (!next) return void this.idle.push(channel);
    clearTimeout(next.timer);
    next.resolve(channel);
  }

  /** Spring's RabbitTemplate.invoke: one channel for the whole callback, back to the cache afterwards. */
  async invoke<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const channel = await this.checkout();
    try {
      return await work(channel);
    } finally {
      this.release(channel);
    }
  }
}
