using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Reads several teachers (<c>[Teacher(..., Name = ...)]</c> repeated), the <c>Teacher</c> a term names and
/// <c>[TeacherEnsemble]</c>, and reports what cannot work (KD0065-KD0070): names missing or repeated, a name no teacher has, a term
/// that cannot read the teacher it names or the ensemble, weights that do not fit, a feature only one teacher supports, and a
/// teacher no term reads. With one teacher nothing changes: a term's <c>Teacher</c> must be that teacher's name, and is then ignored.
/// </summary>
internal static class TeacherEnsembleParser
{
    /// <summary>What the features that one teacher alone supports are declared with.</summary>
    internal sealed class Features
    {
        public AttributeArguments? SelfTeacher { get; init; }
        public AttributeArguments? Calibrated { get; init; }
        public AttributeArguments? MatchLayers { get; init; }
        public IReadOnlyList<AttributeArguments> Sweeps { get; init; } = Array.Empty<AttributeArguments>();
        public IReadOnlyList<AttributeArguments> Stages { get; init; } = Array.Empty<AttributeArguments>();
    }

    /// <summary>
    /// The named teachers (empty with one or none) and the ensemble's weights, and <paramref name="terms"/> with each term's teacher
    /// index set. <paramref name="specs"/> holds the parsed spec of each of <paramref name="teachers"/> (null where it did not parse).
    /// </summary>
    public static (EquatableArray<NamedTeacherSpec> Teachers, EquatableArray<double> Weights, EquatableArray<LossTermSpec> Terms) Parse(
        IReadOnlyList<AttributeArguments> teachers, IReadOnlyList<TeacherSpec?> specs, AttributeArguments? ensemble,
        IReadOnlyList<AttributeArguments> losses, EquatableArray<LossTermSpec> terms, Features features, List<DiagnosticInfo> diagnostics)
    {
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));

        const string TeacherOption = nameof(LossAttribute.Teacher);
        var names = teachers.Select(t => t.NamedOr<string?>(nameof(TeacherAttribute.Name), null)).ToList();
        if (teachers.Count < 2)
        {
            // One teacher (or none): a term may name it, and nothing else.
            for (int i = 0; i < losses.Count && i < terms.Count; i++)
            {
                if (losses[i].NamedOr<string?>(TeacherOption, null) is not { } named) continue;
                if (teachers.Count == 1 && names[0] == named)
                {
                    if (!terms[i].NeedsTeacher)
                        Report(TermCannotReadTeacher, losses[i].NamedLocation(TeacherOption), terms[i].Name, $"teacher \"{named}\"",
                            "the term reads no teacher; remove Teacher");
                    continue;
                }
                string declaredNames = teachers.Count == 0 ? "none" : names[0] is { } n ? $"\"{n}\"" : "one teacher without a Name";
                string nearest = names.Count == 1 && names[0] is { } only ? only : "";
                diagnostics.Add(new DiagnosticInfo(UnknownTeacherName, losses[i].NamedLocation(TeacherOption),
                    new EquatableArray<string>(new[] { named, declaredNames, nearest }), nearest.Length > 0 ? nearest : null));
            }
            if (ensemble is { } lone)
                Report(EnsembleWeightsInvalid, lone.AttributeLocation,
                    $"apply to several teachers, and the experiment declares {(teachers.Count == 0 ? "none" : "one")}; remove [TeacherEnsemble]");
            return (EquatableArray<NamedTeacherSpec>.Empty, EquatableArray<double>.Empty, terms);
        }

        // Names: present, not blank, distinct.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < teachers.Count; i++)
        {
            if (names[i] is not { } name)
                Report(TeacherNameMissingOrRepeated, teachers[i].AttributeLocation, $"teacher {Int(i + 1)} ({Display(teachers[i])}) has none");
            else if (string.IsNullOrWhiteSpace(name))
                Report(TeacherNameMissingOrRepeated, teachers[i].NamedLocation(nameof(TeacherAttribute.Name)), $"teacher {Int(i + 1)}'s Name is blank");
            else if (!seen.Add(name))
                Report(TeacherNameMissingOrRepeated, teachers[i].NamedLocation(nameof(TeacherAttribute.Name)), $"\"{name}\" names two teachers");
            else if (!identifiers.Add(IdentifierPart(name)))
                Report(TeacherNameMissingOrRepeated, teachers[i].NamedLocation(nameof(TeacherAttribute.Name)),
                    $"\"{name}\" names term members like another teacher's name does (both give '{IdentifierPart(name)}'; the letters and digits count)");
        }

        // Features that read or change one teacher.
        const string Reason = "it reads or changes one teacher";
        if (features.SelfTeacher is { } self) Report(NotWithSeveralTeachers, self.AttributeLocation, "[SelfTeacher]", "it replaces the declared teachers");
        if (features.Calibrated is { } calibrated)
            Report(NotWithSeveralTeachers, calibrated.AttributeLocation, "[CalibratedTeacher]", "it fits one teacher's temperature");
        if (features.MatchLayers is { } match)
            Report(NotWithSeveralTeachers, match.AttributeLocation, "[MatchLayers]", "it matches one teacher's hidden states");
        foreach (var sweep in features.Sweeps) Report(NotWithSeveralTeachers, sweep.AttributeLocation, "[Sweep]", Reason);
        foreach (var stage in features.Stages) Report(NotWithSeveralTeachers, stage.AttributeLocation, "[Stage]", "staged runs read one teacher");
        for (int i = 0; i < teachers.Count; i++)
        {
            if (specs[i] is { Caching: TeacherOutputCaching.SparseTopK })
                Report(NotWithSeveralTeachers, teachers[i].NamedLocation(nameof(TeacherAttribute.CacheOutputs)), "CacheOutputs = TeacherOutputCaching.SparseTopK",
                    "an ensemble needs each teacher's dense logits (use CacheOutputs = TeacherOutputCaching.Disk)");
        }

        // Each term: the teacher it names, or the ensemble.
        var valid = names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).ToList();
        var updated = terms.ToList();
        var read = new bool[teachers.Count];
        bool ensembleRead = false;
        string? layerTeacher = null;
        bool unknownName = false; // a term naming no teacher might have meant any: no KD0070 then
        for (int i = 0; i < updated.Count && i < losses.Count; i++)
        {
            var term = updated[i];
            var location = losses[i].NamedLocation(TeacherOption);
            if (losses[i].NamedOr<string?>(TeacherOption, null) is { } named)
            {
                int index = names.IndexOf(named);
                if (index < 0 || string.IsNullOrWhiteSpace(named))
                {
                    unknownName = true;
                    string nearest = valid.OrderBy(v => EditDistance.Between(v, named)).ThenBy(v => v.Length).FirstOrDefault() ?? "";
                    diagnostics.Add(new DiagnosticInfo(UnknownTeacherName, location,
                        new EquatableArray<string>(new[] { named, string.Join(", ", valid.Select(v => $"\"{v}\"")), nearest }), nearest.Length > 0 ? nearest : null));
                    continue;
                }
                if (!term.NeedsTeacher)
                {
                    Report(TermCannotReadTeacher, location, term.Name, $"teacher \"{named}\"", "the term reads no teacher; remove Teacher");
                    continue;
                }
                if (term.NeedsTeacherWeights)
                {
                    if (layerTeacher is not null && layerTeacher != named)
                        Report(TermCannotReadTeacher, location, term.Name, $"teacher \"{named}\"",
                            $"the terms that read a logit layer read one teacher's, and another term reads \"{layerTeacher}\"'s; name the same teacher");
                    layerTeacher ??= named;
                }
                read[index] = true;
                updated[i] = term with { TeacherIndex = index };
                continue;
            }
            if (!term.NeedsTeacher) continue;
            var at = losses[i].AttributeLocation;
            if (term.NeedsTeacherWeights)
                Report(TermCannotReadTeacher, at, term.Name, "the teacher ensemble",
                    "it reads a teacher's logit layer, which an ensemble does not have; name one teacher with Teacher = \"...\"");
            else if (term.Kind == LossKind.LogitMse)
                Report(TermCannotReadTeacher, at, term.Name, "the teacher ensemble",
                    "it compares raw logits, and an ensemble is a distribution (its logits are defined up to a constant); name one teacher with Teacher = \"...\"");
            else if (term.StandardizeLogits)
                Report(TermCannotReadTeacher, losses[i].NamedLocation(nameof(LossAttribute.StandardizeLogits)), term.Name, "the teacher ensemble",
                    "StandardizeLogits z-scores one teacher's logits, and the ensemble's are the log of a mean of distributions; name one teacher, or remove StandardizeLogits");
            ensembleRead = true;
        }

        // Weights: one per teacher, finite, >= 0, a positive sum.
        var weights = Enumerable.Repeat(1.0, teachers.Count).ToArray();
        if (ensemble is { } declared)
        {
            var location = declared.Has(nameof(TeacherEnsembleAttribute.Weights)) ? declared.NamedLocation(nameof(TeacherEnsembleAttribute.Weights)) : declared.AttributeLocation;
            if (declared.Named(nameof(TeacherEnsembleAttribute.Weights)) is not { Kind: TypedConstantKind.Array, IsNull: false } array)
            {
                Report(EnsembleWeightsInvalid, location, "are not set");
            }
            else
            {
                var values = array.Values.Select(v => v.Value is double d ? d : Convert.ToDouble(v.Value, CultureInfo.InvariantCulture)).ToArray();
                if (values.Length != teachers.Count)
                    Report(EnsembleWeightsInvalid, location, $"has {Int(values.Length)} values for {Int(teachers.Count)} teachers");
                else if (values.Where(v => !(v >= 0) || double.IsInfinity(v)).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).FirstOrDefault() is { } bad)
                    Report(EnsembleWeightsInvalid, location, "holds " + bad);
                else if (!(values.Sum() > 0))
                    Report(EnsembleWeightsInvalid, location, "sum to " + values.Sum().ToString("R", CultureInfo.InvariantCulture));
                else
                    weights = values;
                if (!ensembleRead)
                    Report(TeacherReadByNoTerm, declared.AttributeLocation, "[TeacherEnsemble]",
                        "every term that reads a teacher names one, so the weights are unused; remove [TeacherEnsemble]");
            }
        }
        if (ensembleRead)
        {
            for (int i = 0; i < read.Length; i++) read[i] |= weights[i] > 0;
        }
        for (int i = 0; i < teachers.Count; i++)
        {
            if (!read[i] && !unknownName && names[i] is { } unread && updated.Any(t => t.NeedsTeacher))
                Report(TeacherReadByNoTerm, teachers[i].AttributeLocation, $"Teacher \"{unread}\"",
                    $"it is trained and measured for nothing; read it with Teacher = \"{unread}\", let a term read the ensemble (no Teacher), or remove it");
        }

        if (specs.Any(s => s is null) || names.Any(string.IsNullOrWhiteSpace))
            return (EquatableArray<NamedTeacherSpec>.Empty, EquatableArray<double>.Empty, new EquatableArray<LossTermSpec>(updated));
        var named2 = teachers.Select((_, i) => new NamedTeacherSpec(names[i]!, specs[i]!)).ToList();
        return (new EquatableArray<NamedTeacherSpec>(named2), new EquatableArray<double>(weights), new EquatableArray<LossTermSpec>(updated));
    }

    /// <summary>
    /// A teacher name as part of an identifier (the name of a term that names it when its kind is declared for several teachers):
    /// its letters and digits, the first upper-cased ("small" → "Small", "res-net 2" → "Resnet2").
    /// </summary>
    public static string IdentifierPart(string name)
    {
        var letters = new string(name.Where(char.IsLetterOrDigit).ToArray());
        return letters.Length == 0 ? "Teacher" : char.ToUpperInvariant(letters[0]) + letters.Substring(1);
    }

    private static string Display(AttributeArguments teacher) =>
        teacher.Positional(0)?.Value is ITypeSymbol type ? type.Name : "?";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
