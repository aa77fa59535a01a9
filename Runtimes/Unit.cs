namespace Bridge;

/// <summary>
/// The value of a promise or fiber that carries no value: Lwt's and Eio's <c>unit</c> (<c>()</c>),
/// .NET's non-generic <see cref="System.Threading.Tasks.Task"/> result.
/// </summary>
public readonly struct Unit : IEquatable<Unit>
{
    /// <summary>The only value of <see cref="Unit"/> (OCaml's <c>()</c>).</summary>
    public static Unit Value => default;

    /// <summary>Every <see cref="Unit"/> equals every other.</summary>
    public bool Equals(Unit other) => true;

    /// <summary>True for any boxed <see cref="Unit"/>.</summary>
    public override bool Equals(object? obj) => obj is Unit;

    /// <summary>Always 0.</summary>
    public override int GetHashCode() => 0;

    /// <summary>Prints <c>()</c>, as OCaml does.</summary>
    public override string ToString() => "()";

    /// <summary>Always true.</summary>
    public static bool operator ==(Unit left, Unit right) => true;

    /// <summary>Always false.</summary>
    public static bool operator !=(Unit left, Unit right) => false;
}
