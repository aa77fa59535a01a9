namespace Bridge.Fibers;

/// <summary>The cancellation reason when only daemon fibers remain on a switch (Eio cancels with <c>Exit</c>).</summary>
internal sealed class OnlyDaemonsLeftException() : Exception("Only daemon fibers remain on the switch");
