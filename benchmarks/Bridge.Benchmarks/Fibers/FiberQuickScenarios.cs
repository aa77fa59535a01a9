using Bridge.Benchmarks.Quick;

namespace Bridge.Benchmarks.Fibers;

/// <summary>The fiber rows of the <c>--quick</c> table (run them with <c>--quick fiber</c>).</summary>
public sealed class FiberQuickScenarios : IQuickScenarioSource
{
    private const int Yields = 300_000;
    private const int Forks = 60_000;
    private const int Herd = 200_000; // 1M in FiberPromiseBenchmarks; fewer keeps the quick run short

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
            "fiber, opt-in FiberMethodBuilder: await Fiber.Yield(), 2 fibers (vs Task.Yield)",
            Yields,
            () => FiberWorkloads.FiberYieldOptIn(2, Yields / 2),
            () => FiberWorkloads.TaskYield(2, Yields / 2));
        yield return new QuickScenario(
            "fiber, opt-in FiberMethodBuilder: await Fiber.Yield(), 1000 fibers (vs Task.Yield)",
            Yields,
            () => FiberWorkloads.FiberYieldOptIn(1000, Yields / 1000),
            () => FiberWorkloads.TaskYield(1000, Yields / 1000));
        yield return new QuickScenario(
            "fiber: Fork + finish of a fiber that yields once, 1000 per switch (vs starting an async Task that yields once)",
            Forks,
            () => FiberWorkloads.FiberForkYieldOnce(Forks, 1000),
            () => FiberWorkloads.TaskStartYieldOnce(Forks, 1000));
        yield return new QuickScenario(
            "fiber, opt-in FiberMethodBuilder: Fork + finish of a fiber that yields once (vs starting an async Task that yields once)",
            Forks,
            () => FiberWorkloads.FiberForkYieldOnceOptIn(Forks, 1000),
            () => FiberWorkloads.TaskStartYieldOnce(Forks, 1000));

        // One promise, many waiters, on long-lived loop threads (steady state): suspend, then resume-all, measured apart.
        using (var fiberHerd = new FiberPromiseHerd(Herd))
        using (var taskHerd = new TaskPromiseHerd(Herd))
        {
            yield return new QuickScenario(
                "fiber: 200k fibers suspend on one FiberPromise, per fiber; B/op = bytes kept per waiter (vs 200k async Tasks awaiting one TCS)",
                Herd,
                fiberHerd.Suspend,
                taskHerd.Suspend,
                CrossThread: true,
                OursSetup: fiberHerd.ResumeAll,
                BaselineSetup: taskHerd.ResumeAll);
            yield return new QuickScenario(
                "fiber: resume-all of 200k fibers suspended on one FiberPromise, per fiber (vs TCS.SetResult resuming 200k async Tasks)",
                Herd,
                fiberHerd.ResumeAll,
                taskHerd.ResumeAll,
                CrossThread: true,
                OursSetup: fiberHerd.Suspend,
                BaselineSetup: taskHerd.Suspend);
        }
    }
}
