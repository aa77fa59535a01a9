using System.Diagnostics;

namespace Bridge.Benchmarks.Quick;

/// <summary>
/// The <c>--quick</c> ratio mode (see BENCHMARKING.md): ours and the baseline interleaved in one process, warm-up rounds
/// (at least three, and at least <see cref="MinWarmup"/>) then measured rounds with the first variant rotating, a full GC
/// before each sample, medians reported. It never asserts speed.
/// </summary>
public static class QuickRunner
{
    private const int WarmupRounds = 3;
    private const int MaxWarmupRounds = 40;
    private const int MeasuredRounds = 7;

    // Tiered compilation with dynamic PGO replaces the code of hot methods a few hundred milliseconds into a run, and the
    // profile-guided tier (devirtualized interface and delegate calls, expanded casts) can be twice as fast as what runs
    // before it. Three short rounds can all land before that: warm up for at least this long too, so that both variants
    // are measured in their steady state.
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(1.5);

    public static void Run(IEnumerable<QuickScenario> scenarios, TextWriter output, string? filter)
    {
        output.WriteLine("| scenario | ours ns/op | baseline ns/op | ratio (baseline/ours) | ours B/op | baseline B/op |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var scenario in scenarios)
        {
            if (filter is not null && !scenario.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var ours = new List<(double Ns, double Bytes)>();
            var baseline = new List<(double Ns, double Bytes)>();
            var ratios = new List<double>();
            long warmupStart = Stopwatch.GetTimestamp();
            int warmupRounds = 0;
            for (int round = 0; ours.Count < MeasuredRounds; round++)
            {
                bool warmingUp = ours.Count == 0 && (warmupRounds < WarmupRounds
                    || (warmupRounds < MaxWarmupRounds && Stopwatch.GetElapsedTime(warmupStart) < MinWarmup));
                if (warmingUp)
                {
                    warmupRounds++;
                }

                bool oursFirst = round % 2 == 0;
                (double Ns, double Bytes) a, b = default;
                if (oursFirst || scenario.Baseline is null)
                {
                    a = Measure(scenario.Ours, scenario.OursSetup, scenario);
                    if (scenario.Baseline is not null)
                    {
                        b = Measure(scenario.Baseline, scenario.BaselineSetup, scenario);
                    }
                }
                else
                {
                    b = Measure(scenario.Baseline, scenario.BaselineSetup, scenario);
                    a = Measure(scenario.Ours, scenario.OursSetup, scenario);
                }

                if (!warmingUp)
                {
                    ours.Add(a);
                    if (scenario.Baseline is not null)
                    {
                        baseline.Add(b);
                        ratios.Add(b.Ns / a.Ns);
                    }
                }
            }

            string Cell(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
            double baseNs = baseline.Count > 0 ? Median(baseline.Select(x => x.Ns)) : double.NaN;
            double baseBytes = baseline.Count > 0 ? Median(baseline.Select(x => x.Bytes)) : double.NaN;
            double ratio = ratios.Count > 0 ? Median(ratios) : double.NaN;
            output.WriteLine($"| {scenario.Name} | {Cell(Median(ours.Select(x => x.Ns)), "F1")} | {Cell(baseNs, "F1")} | {Cell(ratio, "F2")} | {Cell(Median(ours.Select(x => x.Bytes)), "F1")} | {Cell(baseBytes, "F1")} |");
            output.Flush();
        }

        output.WriteLine();
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    private static (double Ns, double Bytes) Measure(Action body, Action? setup, QuickScenario scenario)
    {
        setup?.Invoke();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long bytesBefore = scenario.CrossThread ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        body();
        long elapsed = Stopwatch.GetTimestamp() - start;
        long bytesAfter = scenario.CrossThread ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        double ns = elapsed * 1e9 / Stopwatch.Frequency / scenario.Operations;
        return (ns, (double)(bytesAfter - bytesBefore) / scenario.Operations);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
