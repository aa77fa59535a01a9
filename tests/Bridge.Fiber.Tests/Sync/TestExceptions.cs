namespace Bridge.Fiber.Tests.Sync;

/// <summary>Raised by test code to fail a branch (Eio's tests use <c>raise Cancel</c> / <c>Exit</c> for this).</summary>
internal sealed class StopException() : Exception("stop");

/// <summary>Eio's tests' <c>Failure "Simulated error"</c>.</summary>
internal sealed class SimulatedException(string message = "Simulated error") : Exception(message);
