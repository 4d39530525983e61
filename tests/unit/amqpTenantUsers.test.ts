import { tenantAmqpUrl } from '../../clients/tenantAmqpUrl';
import { tenantAmqpUser } from '../../layers/platform/src/amqp/tenantAmqpUser';
import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { retireSharedTenantUser } from '../../layers/platform/src/provisioning/provisionAmqp';
import { Topology } from '../../layers/platform/src/topology/Topology';

const topologyOf = (stage: string) => new Topology(loadPlatformConfig({ MYSIMBDP_STAGE: stage }));

describe("a tenant's RabbitMQ user", () => {
  it("is the stage's: its virtual host, a dash, the tenant id, so no two stages share one", () => {
    const [local, bench] = [topologyOf('local'), topologyOf('bench')];
    expect(local.amqp(['zoo', 'shop']).tenants.map((tenant) => [tenant.user, tenant.routingKey])).toEqual([
      ['mysimbdp-local-zoo', 'zoo'],
      ['mysimbdp-local-shop', 'shop'],
    ]);
    expect(bench.amqp(['zoo']).tenants[0]?.user).toBe('mysimbdp-bench-zoo');
    expect(tenantAmqpUser(local.amqp([]).vhost, 'zoo')).toBe('mysimbdp-local-zoo');
    // Never the platform's own user, whatever the stage.
    expect(topologyOf('platform').amqp(['x1']).tenants[0]?.user).not.toBe('mysimbdp-platform');
  });

  it('is what ingestmessage connects as, from the URL it is given and the tenant id', () => {
    expect(tenantAmqpUrl('amqp://127.0.0.1:5672/mysimbdp-local', 'zoo', 's3cret/+')).toBe(
      'amqp://mysimbdp-local-zoo:s3cret%2F%2B@127.0.0.1:5672/mysimbdp-local',
    );
    expect(tenantAmqpUrl('amqps://b-1.mq.example.com:5671/mysimbdp-prod', 'shop', 'x')).toBe(
      'amqps://mysimbdp-prod-shop:x@b-1.mq.example.com:5671/mysimbdp-prod',
    );
    // A user written in the URL is taken as it is (a stage still provisioned the old way).
    expect(tenantAmqpUrl('amqp://zoo@127.0.0.1:5672/mysimbdp-local', 'zoo', 'x')).toBe('amqp://zoo:x@127.0.0.1:5672/mysimbdp-local');
    for (const url of ['amqp://127.0.0.1:5672', 'amqp://127.0.0.1:5672/']) {
      expect(() => tenantAmqpUrl(url, 'zoo', 'x')).toThrow("--amqp: give the stage's virtual host in the URL, e.g. amqp://127.0.0.1:5672/mysimbdp-local");
    }
  });
});

describe('the user a tenant had before users were named per stage', () => {
  /** A broker's users in memory: tags, and the virtual hosts where each has permissions. */
  function broker(users: Record<string, { tags: string[]; vhosts: string[] }>) {
    const calls: string[] = [];
    const admin = {
      userTags: (user: string) => Promise.resolve(users[user]?.tags),
      userVhosts: (user: string) => Promise.resolve(users[user]?.vhosts ?? []),
      deletePermissions: (vhost: string, user: string) => {
        calls.push(`revoke ${user} on ${vhost}`);
        const entry = users[user];
        if (entry) entry.vhosts = entry.vhosts.filter((each) => each !== vhost);
        return Promise.resolve();
      },
      deleteUser: (user: string) => {
        calls.push(`delete ${user}`);
        delete users[user];
        return Promise.resolve(undefined);
      },
    };
    return { admin, calls, users };
  }

  it("loses this stage's permissions, and is deleted by the last stage that used it", async () => {
    const { admin, calls, users } = broker({ zoo: { tags: [], vhosts: ['mysimbdp-local', 'mysimbdp-bench'] } });
    await retireSharedTenantUser(admin, 'mysimbdp-local', 'zoo');
    expect(users.zoo).toEqual({ tags: [], vhosts: ['mysimbdp-bench'] });
    await retireSharedTenantUser(admin, 'mysimbdp-bench', 'zoo');
    expect(users.zoo).toBeUndefined();
    expect(calls).toEqual(['revoke zoo on mysimbdp-local', 'revoke zoo on mysimbdp-bench', 'delete zoo']);
  });

  it('leaves a user with tags alone (no tenant has any), and a user that does not exist', async () => {
    const { admin, calls } = broker({ admin: { tags: ['administrator'], vhosts: ['mysimbdp-local'] } });
    await retireSharedTenantUser(admin, 'mysimbdp-local', 'admin');
    await retireSharedTenantUser(admin, 'mysimbdp-local', 'nobody');
    expect(calls).toEqual([]);
  });
});
