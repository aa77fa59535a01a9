using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Readme;

/// <summary>The synchronisation examples of Eio's README, reproduced line for line.</summary>
public class ReadmeSyncExamples
{
    [Fact]
    public void Concurrent_cache_starts_one_fetch_per_key()
    {
        static async ValueTask<string> Fetch(string url)
        {
            Line($"Fetching \"{url}\"...");
            await F.Yield();
            Line($"Got response for \"{url}\"");
            return url == "http://example.com" ? "<h1>Example.com</h1>" : throw new InvalidOperationException("404 Not Found");
        }

        var trace = TraceRun.Mock(async _ =>
        {
            var table = new Dictionary<string, FiberPromise<string>>();
            async ValueTask<string> Cached(string key)
            {
                if (table.TryGetValue(key, out var existing))
                {
                    return await existing;
                }

                var (promise, resolver) = FiberPromise.Create<string>();
                table.Add(key, promise);
                try
                {
                    var value = await Fetch(key);
                    resolver.Resolve(value);
                    return value;
                }
                catch (Exception e)
                {
                    resolver.Reject(e);
                    throw;
                }
            }

            await F.Iter(["http://example.com", "http://example.com", "http://bad.com", "http://bad.com"], async url =>
            {
                Line($"Requesting {url}...");
                try
                {
                    Line($"{url} -> {await Cached(url)}");
                }
                catch (InvalidOperationException e)
                {
                    Line($"{url} -> Failure(\"{e.Message}\")");
                }
            });
        });
        Assert.Equal(
            [
                "Requesting http://example.com...",
                "Fetching \"http://example.com\"...",
                "Requesting http://example.com...",
                "Requesting http://bad.com...",
                "Fetching \"http://bad.com\"...",
                "Requesting http://bad.com...",
                "Got response for \"http://example.com\"",
                "http://example.com -> <h1>Example.com</h1>",
                "Got response for \"http://bad.com\"",
                "http://bad.com -> Failure(\"404 Not Found\")",
                "http://example.com -> <h1>Example.com</h1>",
                "http://bad.com -> Failure(\"404 Not Found\")",
            ],
            trace);
    }

    [Fact]
    public void Streams_with_capacity_two()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var stream = new FiberStream<int>(2);
            await F.Both(
                async () =>
                {
                    for (int i = 1; i <= 5; i++)
                    {
                        Line($"Adding {i}...");
                        await stream.Add(i);
                    }
                },
                async () =>
                {
                    for (int i = 1; i <= 5; i++)
                    {
                        int x = await stream.Take();
                        Line($"Got {x}");
                        await F.Yield();
                    }
                });
        });
        Assert.Equal(
            ["Adding 1...", "Adding 2...", "Adding 3...", "Got 1", "Adding 4...", "Got 2", "Adding 5...", "Got 3", "Got 4", "Got 5"],
            trace);
    }

    [Fact]
    public void Worker_pool_over_a_rendezvous_stream()
    {
        static async ValueTask<string> HandleJob(int request)
        {
            await F.Yield();
            return $"Processed:{request}";
        }

        static async ValueTask RunWorker(string id, FiberStream<(int Request, FiberResolver<string> Reply)> stream)
        {
            while (true)
            {
                var (request, reply) = await stream.Take();
                Line($"Worker {id} processing request {request}");
                reply.Resolve(await HandleJob(request));
            }
        }

        static async ValueTask<string> Submit(FiberStream<(int, FiberResolver<string>)> stream, int request)
        {
            var (reply, resolveReply) = FiberPromise.Create<string>();
            await stream.Add((request, resolveReply));
            return await reply;
        }

        var trace = TraceRun.Mock(async env =>
        {
            await Switch.Run(async sw =>
            {
                var stream = new FiberStream<(int, FiberResolver<string>)>(0);
                void SpawnWorker(string name) => F.ForkDaemon(sw, async () =>
                    await env.DomainManager.Run(async () =>
                    {
                        Line($"Worker {name} ready");
                        await RunWorker(name, stream);
                    }));
                SpawnWorker("A");
                SpawnWorker("B");
                await Switch.Run(async sw2 =>
                {
                    for (int i = 1; i <= 3; i++)
                    {
                        int client = i;
                        F.Fork(sw2, async () =>
                        {
                            Line($"Client {client} submitting job...");
                            Line($"Client {client} got {await Submit(stream, client)}");
                        });
                        await F.Yield();
                    }
                });
            });
        });
        Assert.Equal(
            [
                "Worker A ready",
                "Worker B ready",
                "Client 1 submitting job...",
                "Worker A processing request 1",
                "Client 2 submitting job...",
                "Worker B processing request 2",
                "Client 3 submitting job...",
                "Client 1 got Processed:1",
                "Worker A processing request 3",
                "Client 2 got Processed:2",
                "Client 3 got Processed:3",
            ],
            trace);
    }

    [Fact]
    public void Mutex_protects_a_save_from_a_concurrent_load()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var mutex = new FiberMutex();
            string data = "";
            await F.Both(
                () => mutex.UseRw(async () =>
                {
                    await F.Yield(); // the save takes a while
                    data = "some data";
                }, protect: true),
                async () => Line($"Loaded: \"{await mutex.UseRo(() => ValueTask.FromResult(data))}\""));
        });
        Assert.Equal(["Loaded: \"some data\""], trace);
    }

    [Fact]
    public void Condition_without_mutex()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            int x = 5;
            var changed = new FiberCondition();
            await F.Both(
                async () =>
                {
                    Line("Waiting for x to be 0");
                    while (x != 0)
                    {
                        await changed.AwaitNoMutex();
                    }

                    Line("x is now zero");
                },
                () =>
                {
                    x = 0;
                    changed.Broadcast();
                    Line("x set to 0");
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["Waiting for x to be 0", "x set to 0", "x is now zero"], trace);
    }

    [Fact]
    public void Condition_with_mutex()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            int y = 5;
            var mutex = new FiberMutex();
            var changed = new FiberCondition();
            await F.Both(
                async () =>
                {
                    Line("Waiting for y to be 0");
                    await mutex.UseRo(async () =>
                    {
                        while (y != 0)
                        {
                            await changed.Await(mutex);
                        }

                        Line("y is now zero (at least until we release the mutex)");
                    });
                },
                () => mutex.UseRw(() =>
                {
                    y = 0;
                    changed.Broadcast();
                    Line("y set to 0");
                    return ValueTask.CompletedTask;
                }, protect: true));
        });
        Assert.Equal(["Waiting for y to be 0", "y set to 0", "y is now zero (at least until we release the mutex)"], trace);
    }
}
