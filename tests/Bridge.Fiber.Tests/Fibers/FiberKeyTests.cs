using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>Fiber-local bindings: scoped to a call, copied by forks at fork time.</summary>
public class FiberKeyTests
{
    private static readonly FiberKey<int> Key = new("key");

    private static void TraceKey() => Line("Key => " + (F.TryGet(Key, out int v) ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "<unset>"));

    [Fact]
    public void Keys_are_unset_by_default()
    {
        Assert.Equal(["Key => <unset>"], Eio.Run(_ => { TraceKey(); return ValueTask.CompletedTask; }));
        Assert.Equal(["0"], Eio.Run(() => ValueTask.FromResult(F.Get(Key).ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void WithBinding_binds_shadows_and_restores()
    {
        var trace = Eio.Run(async _ =>
            await F.WithBinding(Key, 123, async () =>
            {
                TraceKey();
                await F.WithBinding(Key, 456, () => { TraceKey(); return ValueTask.CompletedTask; });
                TraceKey();
                await F.WithoutBinding(Key, () => { TraceKey(); return ValueTask.CompletedTask; });
                TraceKey();
            }));
        Assert.Equal(["Key => 123", "Key => 456", "Key => 123", "Key => <unset>", "Key => 123"], trace);
    }

    [Fact]
    public void Forked_fibers_copy_the_forking_fibers_bindings_at_fork_time()
    {
        var trace = Eio.Run(async _ =>
        {
            await F.WithBinding(Key, 123, async () => await Switch.Run(sw =>
            {
                F.Fork(sw, () => { TraceKey(); return ValueTask.CompletedTask; });
                return ValueTask.CompletedTask;
            }));
            await Switch.Run(async sw =>
            {
                await F.WithBinding(Key, 7, () =>
                {
                    F.Fork(sw, async () =>
                    {
                        await F.Yield();
                        Line("child after its parent left the binding:");
                        TraceKey();
                    });
                    return ValueTask.CompletedTask;
                });
                Line("parent:");
                TraceKey();
                await F.WithBinding(Key, 8, async () => await F.Yield());
            });
        });
        Assert.Equal(["Key => 123", "parent:", "Key => <unset>", "child after its parent left the binding:", "Key => 7"], trace);
    }

    [Fact]
    public void A_binding_survives_suspension_and_does_not_leak_to_other_fibers()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () => await F.WithBinding(Key, 1, async () =>
            {
                await F.Yield();
                await Time.Sleep(TimeSpan.FromSeconds(1));
                TraceKey();
            }),
            async () =>
            {
                TraceKey();
                await F.Yield();
                TraceKey();
            }));
        Assert.Equal(["Key => <unset>", "Key => <unset>", "mock time is now 1", "Key => 1"], trace);
    }

    [Fact]
    public void Combinator_branches_inherit_the_callers_bindings()
    {
        var trace = Eio.Run(async _ =>
            await F.WithBinding(Key, 9, async () =>
            {
                await F.Both(() => { TraceKey(); return ValueTask.CompletedTask; }, () => { TraceKey(); return ValueTask.CompletedTask; });
                await F.First(() => { TraceKey(); return ValueTask.FromResult(0); }, async () => { await F.Yield(); return 1; });
            }));
        Assert.Equal(["Key => 9", "Key => 9", "Key => 9"], trace);
    }
}
