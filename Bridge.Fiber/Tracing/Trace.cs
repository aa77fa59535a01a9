using System.Globalization;

namespace Bridge.Fibers;

/// <summary>Eio's <c>traceln</c>: debug lines that never switch fibers, so adding them never changes scheduling.</summary>
public static class Trace
{
    private static readonly object s_stderrGate = new();

    /// <summary>
    /// Writes <paramref name="text"/> as one line to the current run's trace sink (<see cref="FiberRunOptions.Trace"/>;
    /// standard error with a "+" prefix by default). Multi-line text becomes several lines. Atomic across threads;
    /// callable from any code, in a fiber or not.
    /// </summary>
    public static void Line(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var runtime = FiberContext.Running?.Runtime ?? FiberRuntime.Current;
        foreach (var line in text.Split('\n'))
        {
            if (runtime is not null)
            {
                runtime.WriteTrace(line);
            }
            else
            {
                lock (s_stderrGate)
                {
                    Console.Error.WriteLine("+" + line);
                }
            }
        }
    }

    /// <summary>Formats seconds as OCaml's <c>%g</c> does (<c>5</c>, <c>0.5</c>, <c>62</c>), the way Eio_mock prints its clock.</summary>
    internal static string FormatSeconds(double seconds) =>
        seconds.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
}
