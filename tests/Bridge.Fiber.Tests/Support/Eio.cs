using Bridge.Fibers;

namespace Bridge.Fiber.Tests.Support;

/// <summary>OCaml's <c>Failure</c>: the exception Eio's tests raise with <c>failwith</c>.</summary>
internal sealed class Failure(string message) : Exception(message);

/// <summary>OCaml's <c>Exit</c>.</summary>
internal sealed class Exit() : Exception("Exit");

/// <summary>Eio's expect-test conventions: traces collected under <c>Fiber.RunMock</c>, exceptions printed the way Eio prints them.</summary>
internal static class Eio
{
    /// <summary>Runs under the mock backend and returns the trace, ending with an <c>Exception: ...</c> line if main failed.</summary>
    public static List<string> Run(Func<Env, ValueTask> main)
    {
        var lines = new List<string>();
        try
        {
            Bridge.Fibers.Fiber.RunMock(main, new FiberRunOptions { Trace = lines.Add });
        }
        catch (Exception e)
        {
            lines.AddRange(("Exception: " + Show(e)).Split('\n'));
        }

        return lines;
    }

    /// <summary>Like <see cref="Run(Func{Env, ValueTask})"/> for a main that returns a string, traced as its last line (Eio's <c>run</c> helper).</summary>
    public static List<string> Run(Func<ValueTask<string>> main) => Run(async _ => Trace.Line(await main()));

    /// <summary>Eio's exception printer: <c>Failure("x")</c>, <c>Exit</c>, <c>Cancelled: ...</c>, <c>Multiple exceptions:</c> with one "- " line per error.</summary>
    public static string Show(Exception e) => e switch
    {
        Failure f => $"Failure(\"{f.Message}\")",
        Exit => "Exit",
        CancelledException c => "Cancelled: " + Show(c.Reason),
        AggregateException a => "Multiple exceptions:" + string.Concat(a.InnerExceptions.Select(i => "\n- " + Show(i))),
        _ => $"{e.GetType().Name}(\"{e.Message}\")",
    };

}
