using Bridge.Benchmarks.Quick;

namespace Bridge.Benchmarks.Runtimes;

/// <summary>The kernel's rows of the <c>--quick</c> table (all named "loop …").</summary>
public sealed class LoopQuickScenarios : IQuickScenarioSource
{
    public IEnumerable<QuickScenario> Scenarios()
    {
        const int posts = 200_000;
        var postRig = new LoopWorkloads.PostRig();
        var basePostRig = new LoopWorkloads.BaselinePostRig();
        yield return new QuickScenario("loop post 1 producer, loop busy", posts,
            () => postRig.Run(posts, busy: true), () => basePostRig.Run(posts, busy: true), CrossThread: true);
        yield return new QuickScenario("loop post 1 producer, loop idle", posts,
            () => postRig.Run(posts, busy: false), () => basePostRig.Run(posts, busy: false), CrossThread: true);

        const int yields = 100_000;
        yield return new QuickScenario("loop await Task.Yield ping-pong", 2 * yields,
            () => LoopWorkloads.OursYield(yields), () => LoopWorkloads.BaselineYield(yields));

        const int items = 1_000_000;
        var ours = new LoopWorkloads.EnqueueRig();
        var baseline = new LoopWorkloads.BlockingCollectionRig();
        yield return new QuickScenario("loop Enqueue+run preallocated item (baseline: BlockingCollection Add+Take)", items,
            () => ours.Run(items), () => baseline.Run(items));

        // 250k per round keeps the whole quick run short; the BenchmarkDotNet class runs the full 1M.
        const int timers = 250_000;
        var deadlines = LoopWorkloads.ShuffledDeadlines(timers);
        yield return new QuickScenario("loop start+fire 250k timers, virtual time (baseline: bare PriorityQueue floor)", timers,
            () => LoopWorkloads.OursTimers(deadlines), () => LoopWorkloads.BaselineTimers(deadlines));
    }
}
