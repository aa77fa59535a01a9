namespace Bridge.Benchmarks.Quick;

/// <summary>A component's contribution to the <c>--quick</c> table; found by reflection, so components add rows without touching Program.</summary>
public interface IQuickScenarioSource
{
    /// <summary>Rows in display order.</summary>
    IEnumerable<QuickScenario> Scenarios();
}
