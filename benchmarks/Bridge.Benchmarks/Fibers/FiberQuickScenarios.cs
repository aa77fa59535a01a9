using Bridge.Benchmarks.Quick;

namespace Bridge.Benchmarks.Fibers;

/// <summary>The fiber rows of the <c>--quick</c> table (run them with <c>--quick fiber</c>).</summary>
public sealed class FiberQuickScenarios : IQuickScenarioSource
{
    private const int Yields = 400_000;
    private const int Forks = 100_000;
    private const int Herd = 250_000; // 1M in the BenchmarkDotNet class; 250k keeps the quick run short

    /// <inheritdoc />
    public IEnumerable<QuickScenario> Scenarios()
    {
        yield return new QuickScenario(
            "fiber: await Fiber.Yield(), 2 fibers (vs Task.Yield on AsyncEx-style context)",
            Yields,
            () => FiberWorkloads.FiberYield(2, Yields / 2),
            () => FiberWorkloads.TaskYield(2, Yields / 2));
        yield return new QuickScenario(
            "fiber: await Fiber.Yield(), 1000 fibers (vs Task.Yield)",
            Yields,
            () => FiberWorkloads.FiberYield(1000, Yields / 1000),
            () => FiberWorkloads.TaskYield(1000, Yields / 1000));
        yield return new QuickScenario(
            "fiber: Fork + finish of a fiber that yields once, 1000 per switch (vs starting an async Task that yields once)",
            Forks,
            () => FiberWorkloads.FiberForkYieldOnce(Forks, 1000),
            () => FiberWorkloads.TaskStartYieldOnce(Forks, 1000));

        // One promise, a million waiters, kept alive on a dedicated loop thread between setup and measurement.
        IPromiseHerd? fiberHerd = null, taskHerd = null;
        yield return new QuickScenario(
            "fiber: 250k fibers suspend on one FiberPromise, per fiber; B/op = bytes kept per waiter (vs 250k async Tasks awaiting one TCS)",
            Herd,
            () => (fiberHerd = new FiberPromiseHerd(Herd)).Suspend(),
            () => (taskHerd = new TaskPromiseHerd(Herd)).Suspend(),
            CrossThread: true,
            OursSetup: () => Finish(ref fiberHerd),
            BaselineSetup: () => Finish(ref taskHerd));
        Finish(ref fiberHerd);
        Finish(ref taskHerd);
        yield return new QuickScenario(
            "fiber: resume-all of 250k fibers suspended on one FiberPromise, per fiber (vs TCS.SetResult resuming 250k async Tasks)",
            Herd,
            () => Finish(ref fiberHerd),
            () => Finish(ref taskHerd),
            CrossThread: true,
            OursSetup: () => (fiberHerd = new FiberPromiseHerd(Herd)).Suspend(),
            BaselineSetup: () => (taskHerd = new TaskPromiseHerd(Herd)).Suspend());
        Finish(ref fiberHerd);
        Finish(ref taskHerd);
    }

    private static void Finish(ref IPromiseHerd? herd)
    {
        herd?.ResumeAll();
        herd = null;
    }
}
