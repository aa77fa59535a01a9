using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>DomainManager.Run: another loop on another thread (inline under the mock backend); bindings do not cross.</summary>
public class DomainManagerTests
{
    private static readonly FiberKey<string> Key = new("domain key");

    [Fact]
    public void Under_the_mock_backend_a_domain_runs_inline_without_the_callers_bindings()
    {
        var trace = Eio.Run(async env =>
            await F.WithBinding(Key, "caller", async () =>
            {
                int r = await env.DomainManager.Run(async () =>
                {
                    Line($"in domain: key = {F.Get(Key) ?? "<unset>"}");
                    await F.Yield();
                    return 42;
                });
                Line($"domain returned {r}; key = {F.Get(Key)}");
            }));
        Assert.Equal(["in domain: key = <unset>", "domain returned 42; key = caller"], trace);
    }

    [Fact]
    public void A_domain_runs_on_another_thread_with_its_own_loop_and_rethrows_its_error()
    {
        var lines = new List<string>();
        Bounded.Run(() => F.Run(async env =>
        {
            int caller = Environment.CurrentManagedThreadId;
            int thread = await env.DomainManager.Run(async () =>
            {
                await F.Yield();
                Trace.Line("domain running");
                return Environment.CurrentManagedThreadId;
            });
            Trace.Line($"other thread: {thread != caller}");
            try
            {
                await env.DomainManager.Run(() => throw new Failure("domain failed"));
            }
            catch (Failure e)
            {
                Trace.Line($"caught {e.Message}");
            }
        }, new FiberRunOptions { Trace = lines.Add }));
        Assert.Equal(["domain running", "other thread: True", "caught domain failed"], lines);
    }

    [Fact]
    public void Cancelling_the_caller_cancels_the_domain_and_waits_for_it()
    {
        var lines = new List<string>();
        var e = Assert.Throws<Failure>(() => Bounded.Run(() => F.Run(async env =>
        {
            var (started, startedResolver) = FiberPromise.Create<bool>();
            await F.Both(
                async () => await env.DomainManager.Run(async () =>
                {
                    try
                    {
                        startedResolver.Resolve(true);
                        await F.AwaitCancel();
                    }
                    catch (CancelledException)
                    {
                        Trace.Line("domain cancelled");
                        throw;
                    }
                }),
                async () =>
                {
                    await started;
                    throw new Failure("caller failed");
                });
        }, new FiberRunOptions { Trace = lines.Add })));
        Assert.Equal("caller failed", e.Message);
        Assert.Equal(["domain cancelled"], lines);
    }
}
