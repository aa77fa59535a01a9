namespace Bridge.Fiber.Tests.Support;

/// <summary>The test bound itself: results and exceptions pass through unchanged, a hung body fails the test.</summary>
public class BoundedTests
{
    [Fact]
    public void Returns_the_result_and_rethrows_the_bodys_own_exception()
    {
        Assert.Equal(42, Bounded.Run(() => 42));
        var boom = new Failure("body failed");
        Assert.Same(boom, Assert.Throws<Failure>(() => Bounded.Run(() => throw boom)));
    }

    [Fact]
    public void A_body_that_does_not_finish_in_time_fails_with_a_timeout_naming_the_test()
    {
        var release = new ManualResetEventSlim(); // not disposed: the abandoned body may still be waiting on it
        try
        {
            var e = Assert.Throws<TimeoutException>(() => Bounded.Run(() => release.Wait(TimeSpan.FromSeconds(30)), TimeSpan.FromMilliseconds(100)));
            Assert.Contains(nameof(A_body_that_does_not_finish_in_time_fails_with_a_timeout_naming_the_test), e.Message, StringComparison.Ordinal);
            Assert.Contains("deadlock", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }
}
