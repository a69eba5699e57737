using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// The <c>[Loss]</c> options of the logit-family kinds (DecoupledKd, Dist, SkewedJensenShannon, and StandardizeLogits on the
/// KL family): reads them into the term and reports what cannot work, a part weight that is negative or not finite (KD0047),
/// both part weights of DKD or DIST at 0 (KD0048), a skew outside (0, 1) (KD0049), standardisation with a calibrated teacher
/// (KD0050, a warning) and DIST's intra-class relation over batches of one sample (KD0051, a warning). Values are range-checked
/// wherever they are written, as the other options are (a misplaced one is also KD0010).
/// </summary>
internal static class LogitOptionsParser
{
    /// <summary>The term with the logit-family options of <paramref name="loss"/> (defaults where not written).</summary>
    public static LossTermSpec Read(LossTermSpec term, AttributeArguments loss, List<DiagnosticInfo> diagnostics)
    {
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));
        var defaults = AttributeDefaults.Loss;
        string name = term.Kind.ToString();

        double PartWeight(string option, double fallback)
        {
            double value = loss.NamedOr(option, fallback);
            if (loss.Has(option) && (!(value >= 0) || double.IsInfinity(value)))
                Report(PartWeightOutOfRange, loss.NamedLocation(option), option, name, Format(value));
            return value;
        }
        double targetClass = PartWeight(nameof(LossAttribute.TargetClassWeight), defaults.TargetClassWeight);
        double nonTargetClass = PartWeight(nameof(LossAttribute.NonTargetClassWeight), defaults.NonTargetClassWeight);
        double interClass = PartWeight(nameof(LossAttribute.InterClassWeight), defaults.InterClassWeight);
        double intraClass = PartWeight(nameof(LossAttribute.IntraClassWeight), defaults.IntraClassWeight);
        if (term.Kind == LossKind.DecoupledKd && targetClass == 0 && nonTargetClass == 0)
            Report(AllPartWeightsZero, loss.NamedLocation(nameof(LossAttribute.NonTargetClassWeight)),
                nameof(LossAttribute.TargetClassWeight), nameof(LossAttribute.NonTargetClassWeight), name);
        if (term.Kind == LossKind.Dist && interClass == 0 && intraClass == 0)
            Report(AllPartWeightsZero, loss.NamedLocation(nameof(LossAttribute.IntraClassWeight)),
                nameof(LossAttribute.InterClassWeight), nameof(LossAttribute.IntraClassWeight), name);

        double skew = loss.NamedOr(nameof(LossAttribute.Skew), defaults.Skew);
        if (loss.Has(nameof(LossAttribute.Skew)) && !(skew > 0 && skew < 1))
            Report(SkewOutOfRange, loss.NamedLocation(nameof(LossAttribute.Skew)), name, Format(skew));

        return term with
        {
            TargetClassWeight = targetClass, NonTargetClassWeight = nonTargetClass, InterClassWeight = interClass, IntraClassWeight = intraClass,
            Skew = skew, StandardizeLogits = loss.NamedOr(nameof(LossAttribute.StandardizeLogits), defaults.StandardizeLogits),
        };
    }

    /// <summary>The checks that need the rest of the experiment: KD0050 and KD0051 (warnings).</summary>
    public static void CheckExperiment(IReadOnlyList<AttributeArguments> lossAttributes, EquatableArray<LossTermSpec> terms, bool calibrated,
        AttributeArguments? train, List<DiagnosticInfo> diagnostics)
    {
        // terms holds one spec per [Loss] attribute that parsed, in order; anything else (an unknown kind) leaves them unpaired.
        if (terms.Count != lossAttributes.Count) return;
        for (int i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            var loss = lossAttributes[i];
            if (calibrated && term.StandardizeLogits && Catalog.LossCatalog.Of(term.Kind).Options.Contains(nameof(LossAttribute.StandardizeLogits)))
                diagnostics.Add(new DiagnosticInfo(StandardizationCancelsCalibration, loss.NamedLocation(nameof(LossAttribute.StandardizeLogits)),
                    new EquatableArray<string>(new[] { term.Kind.ToString() })));
            if (term.Kind == LossKind.Dist && term.IntraClassWeight > 0 && train is { } t && t.NamedOr(nameof(TrainAttribute.BatchSize), 0) == 1)
                diagnostics.Add(new DiagnosticInfo(IntraClassRelationNeedsBatches, t.NamedLocation(nameof(TrainAttribute.BatchSize)),
                    new EquatableArray<string>(new[] { Format(term.IntraClassWeight) })));
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
