namespace Bridge.Fibers;

/// <summary>The private reason <c>Fiber.Any</c> cancels the losers with (Eio's <c>Not_first</c>).</summary>
internal sealed class NotFirstException() : Exception("Another branch of Fiber.Any returned first");
