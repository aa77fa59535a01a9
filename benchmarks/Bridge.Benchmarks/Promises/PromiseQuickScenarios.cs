using Bridge.Benchmarks.Quick;
using Bridge.Promises;
using Bridge.Runtimes;

namespace Bridge.Benchmarks.Promises;

/// <summary>The promise rows of the <c>--quick</c> table (names start with "promise"; the whole set runs in well under 30 s).</summary>
public sealed class PromiseQuickScenarios : IQuickScenarioSource
{
    private const int N = 1_000_000;

    public IEnumerable<QuickScenario> Scenarios()
    {
        yield return new QuickScenario("promise create+bind+resolve (pending)", N / 2, () => OnLoop(PromiseWorkloads.CreateBindResolve, N / 2), () => TaskWorkloads.CreateBindResolve(N / 2));
        yield return new QuickScenario("promise bind on resolved", N * 2, () => OnLoop(PromiseWorkloads.BindOnResolved, N * 2), () => TaskWorkloads.BindOnResolved(N * 2));
        yield return new QuickScenario("promise Pick of 2", N / 2, () => OnLoop(PromiseWorkloads.PickOfTwo, N / 2), () => TaskWorkloads.WhenAnyOfTwo(N / 2));
        yield return new QuickScenario("promise Join of 10", N / 10, () => OnLoop(PromiseWorkloads.JoinOfTen, N / 10), () => TaskWorkloads.WhenAllOfTen(N / 10));
        yield return new QuickScenario("promise stream push->get 1M", N, () => OnLoop(PromiseWorkloads.StreamPushGet, N), () => TaskWorkloads.ChannelWriteRead(N));
        yield return new QuickScenario("promise 10M recursive bind chain", 10 * N, () => OnLoop(PromiseWorkloads.RecursiveChain, 10 * N), null);
        yield return new QuickScenario("promise 1M resolution cascade", N, () => OnLoop(PromiseWorkloads.Cascade, N), null);
    }

    private static void OnLoop(Action<int> body, int n)
    {
        var loop = new EventLoop(new EventLoopOptions { Name = "bench", VirtualTime = true });
        Promise.Run(loop, () =>
        {
            body(n);
            return Promise.Unit;
        });
    }
}
