using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Bridge.Fiber.Tests.Support;

/// <summary>
/// Runs a test body that the loop's deadlock detection cannot guard (a real-time <c>Fiber.Run</c>, or a
/// <c>Fiber.RunMock</c> with a foreign await or a tracked external operation) on a dedicated background thread, and fails
/// the test after a time limit instead of letting a lost wake-up hang the whole test host.
/// </summary>
internal static class Bounded
{
    /// <summary>The default limit: far above any healthy run, even on a loaded machine.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="body"/> on a fresh thread (no loop running there) and returns its result or rethrows its exception unchanged.</summary>
    /// <exception cref="TimeoutException">The body did not finish within <paramref name="limit"/> (default 60 s).</exception>
    public static T Run<T>(Func<T> body, TimeSpan? limit = null, [CallerMemberName] string test = "")
    {
        ArgumentNullException.ThrowIfNull(body);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true, // a hung body must not keep the test host alive
            Name = "Bounded: " + test,
        };
        thread.Start();
        var bound = limit ?? DefaultLimit;
        if (!thread.Join(bound))
        {
            throw new TimeoutException(
                $"{test} did not finish within {bound.TotalSeconds:0.#} s: likely a lost wake-up or deadlock the loop cannot detect.");
        }

        error?.Throw();
        return result;
    }

    /// <summary>Like <see cref="Run{T}(Func{T}, TimeSpan?, string)"/> for a body without a result.</summary>
    public static void Run(Action body, TimeSpan? limit = null, [CallerMemberName] string test = "")
    {
        ArgumentNullException.ThrowIfNull(body);
        Run<bool>(() => { body(); return true; }, limit, test);
    }
}
