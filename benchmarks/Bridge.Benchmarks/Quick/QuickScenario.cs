namespace Bridge.Benchmarks.Quick;

/// <summary>
/// One row of the <c>--quick</c> table: Bridge's way and the .NET baseline doing the same job.
/// Each delegate performs <see cref="Operations"/> operations and returns when they are all done.
/// </summary>
/// <param name="Name">Row label.</param>
/// <param name="Operations">Operations per round, the divisor for ns/op and B/op.</param>
/// <param name="Ours">Bridge's implementation.</param>
/// <param name="Baseline">The .NET baseline doing the same job (null: no baseline, ratio column is "-").</param>
/// <param name="CrossThread">True when other threads allocate on the measured path: allocations are then counted process-wide.</param>
/// <param name="OursSetup">Run before each measurement of <paramref name="Ours"/>, outside the timed region (optional).</param>
/// <param name="BaselineSetup">Run before each measurement of <paramref name="Baseline"/>, outside the timed region (optional).</param>
public sealed record QuickScenario(
    string Name,
    int Operations,
    Action Ours,
    Action? Baseline,
    bool CrossThread = false,
    Action? OursSetup = null,
    Action? BaselineSetup = null);
