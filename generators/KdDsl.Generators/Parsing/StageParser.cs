using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Reads <c>[Stage]</c> and the <c>Stage</c> of each term into <see cref="StageSpec"/>s and reports what cannot work: a stage
/// number declared twice (KD0061) or below 1, epochs or a learning rate out of range (KD0014), a stage that trains no parameter
/// (KD0062), a term in a stage that is not declared (KD0063), a stage without a term with a weight (KD0064), and stages with a
/// configuration sweep (KD0015).
/// </summary>
internal static class StageParser
{
    /// <summary>
    /// The declared stages in ascending order (empty: none), and <paramref name="terms"/> with each term's stage set. The terms
    /// are the declared <c>[Loss]</c> terms in order (<paramref name="losses"/>), then the layer-matching term when
    /// <paramref name="matchLayers"/> is declared.
    /// </summary>
    public static (EquatableArray<StageSpec> Stages, EquatableArray<LossTermSpec> Terms) Parse(IReadOnlyList<AttributeArguments> stages,
        IReadOnlyList<AttributeArguments> losses, AttributeArguments? matchLayers, AttributeArguments? sweep, EquatableArray<LossTermSpec> terms,
        List<DiagnosticInfo> diagnostics)
    {
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));

        var specs = new List<StageSpec>();
        var seen = new HashSet<int>();
        var locations = new Dictionary<int, LocationInfo?>(); // kept out of the specs, which are value-equal models
        foreach (var stage in stages)
        {
            if (stage.Positional(0)?.Value is not int number) continue;
            if (number < 1)
            {
                Report(ValueOutOfRange, stage.PositionalLocation(0), "The stage number", Int(number), ">= 1");
                continue;
            }
            if (!seen.Add(number))
            {
                Report(DuplicateStage, stage.PositionalLocation(0), Int(number));
                continue;
            }
            int epochs = stage.NamedOr(nameof(StageAttribute.Epochs), 0);
            if (epochs < 0)
                Report(ValueOutOfRange, stage.NamedLocation(nameof(StageAttribute.Epochs)), $"Stage {Int(number)}'s Epochs", Int(epochs),
                    ">= 1 (or 0 for [Train]'s epochs)");
            double learningRate = stage.NamedOr(nameof(StageAttribute.LearningRate), 0d);
            if (!(learningRate >= 0) || double.IsInfinity(learningRate))
                Report(ValueOutOfRange, stage.NamedLocation(nameof(StageAttribute.LearningRate)), $"Stage {Int(number)}'s LearningRate",
                    learningRate.ToString("R", CultureInfo.InvariantCulture), "> 0 (or 0 for [Train]'s learning rate)");
            var trains = Trains(stage);
            if (trains is not null && (trains.Length == 0 || trains.Any(string.IsNullOrWhiteSpace)))
                Report(StageTrainsNothing, stage.NamedLocation(nameof(StageAttribute.Trains)), Int(number),
                    trains.Length == 0 ? "an empty list of parameters" : "a parameter name that is empty");
            specs.Add(new StageSpec(number, epochs, learningRate, new EquatableArray<string>(trains ?? System.Array.Empty<string>())));
            locations[number] = stage.AttributeLocation;
        }
        specs.Sort((a, b) => a.Number.CompareTo(b.Number));
        if (specs.Count > 0 && sweep is { } swept)
            Report(ConflictingOptions, swept.AttributeLocation, "[Sweep]", "[Stage]",
                "a sweep varies one training phase; run the staged experiment without [Sweep], or sweep an experiment without stages");

        // Each term's stage, in the order of `terms`: the [Loss] terms, then the matching term.
        var sources = losses.Select(l => (Arguments: l, Name: l.Positional(0)?.Value is int kind ? ((LossKind)kind).ToString() : "the term"))
            .ToList();
        if (matchLayers is { } matched) sources.Add((matched, "[MatchLayers]"));
        var staged = new List<LossTermSpec>(terms.Count);
        int index = 0;
        foreach (var term in terms)
        {
            int stage = 0;
            if (index < sources.Count)
            {
                var (arguments, name) = sources[index];
                stage = arguments.NamedOr("Stage", 0);
                if (stage != 0 && !specs.Any(s => s.Number == stage))
                    Report(UnknownStage, arguments.NamedLocation("Stage"), name, Int(stage),
                        specs.Count == 0 ? "the experiment declares no [Stage]" : "the declared stages are " + string.Join(", ", specs.Select(s => Int(s.Number))));
            }
            staged.Add(stage == 0 ? term : term with { Stage = stage });
            index++;
        }

        foreach (var spec in specs)
        {
            var members = staged.Where(t => t.Stage == 0 || t.Stage == spec.Number).ToList();
            if (members.Count == 0)
                Report(StageWithoutTerms, locations[spec.Number], Int(spec.Number), "no loss term");
            else if (members.All(t => t.Weight == 0))
                Report(StageWithoutTerms, locations[spec.Number], Int(spec.Number), "only terms of weight 0");
        }
        return (new EquatableArray<StageSpec>(specs), new EquatableArray<LossTermSpec>(staged));
    }

    private static string[]? Trains(AttributeArguments stage)
    {
        if (stage.Named(nameof(StageAttribute.Trains)) is not { } value || value.IsNull) return null;
        if (value.Kind != TypedConstantKind.Array) return null;
        return value.Values.Select(v => v.Value as string ?? "").ToArray();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
