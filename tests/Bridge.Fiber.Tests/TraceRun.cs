using Bridge.Fibers;

namespace Bridge.Fiber.Tests;

/// <summary>Runs a program under Fiber.RunMock and returns its trace lines (Eio's expect-test style).</summary>
internal static class TraceRun
{
    public static List<string> Mock(Func<Env, ValueTask> main)
    {
        var lines = new List<string>();
        Fibers.Fiber.RunMock(main, new FiberRunOptions { Trace = lines.Add });
        return lines;
    }

    /// <summary>Runs and also records the exception main ended with, as a final "Exception: ..." line.</summary>
    public static List<string> MockCatching(Func<Env, ValueTask> main)
    {
        var lines = new List<string>();
        try
        {
            Fibers.Fiber.RunMock(main, new FiberRunOptions { Trace = lines.Add });
        }
        catch (Exception e)
        {
            lines.Add($"Exception: {e.GetType().Name}: {e.Message}");
        }

        return lines;
    }

    /// <summary>Asserts a whole trace, printing both traces in full when they differ.</summary>
    public static void AssertLines(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"Trace mismatch.\nExpected:\n  {string.Join("\n  ", expected)}\nActual:\n  {string.Join("\n  ", actual)}");
        }
    }
}
