using Bridge.Benchmarks.Quick;

namespace Bridge.Benchmarks.Fibers;

/// <summary>The fiber rows of the <c>--quick</c> table (run them with <c>--quick fiber</c>).</summary>
public sealed class FiberQuickScenarios : IQuickScenarioSource
{
    private const int Yields = 400_000;
    private const int Forks = 100_000;

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
            "fiber: Fork + finish of a fiber that yields once, per fiber (vs starting an async Task that yields once)",
            Forks,
            () => FiberWorkloads.FiberForkYieldOnce(Forks),
            () => FiberWorkloads.TaskStartYieldOnce(Forks));
    }
}
