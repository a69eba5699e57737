using System;

namespace KdDsl.CodeFixes;

/// <summary>
/// The short names (<c>Teacher</c> for <c>[Teacher]</c>) of the KdDsl attributes the code fixes handle, the namespace they live
/// in, and their defaults, taken from the types themselves (KdDsl.Abstractions) rather than written again here.
/// </summary>
internal static class AttributeNames
{
    /// <summary>The namespace of the attributes and their enums.</summary>
    public static readonly string Namespace = typeof(DistillationAttribute).Namespace;

    public static readonly string Distillation = Short(typeof(DistillationAttribute));
    public static readonly string Dataset = Short(typeof(DatasetAttribute));
    public static readonly string SyntheticData = Short(typeof(SyntheticDataAttribute));
    public static readonly string Teacher = Short(typeof(TeacherAttribute));
    public static readonly string SelfTeacher = Short(typeof(SelfTeacherAttribute));
    public static readonly string CalibratedTeacher = Short(typeof(CalibratedTeacherAttribute));
    public static readonly string Student = Short(typeof(StudentAttribute));
    public static readonly string Loss = Short(typeof(LossAttribute));
    public static readonly string Train = Short(typeof(TrainAttribute));

    /// <summary>"Teacher.Epochs": the key of a setting, as the code fixes name it.</summary>
    public static string Setting(Type attribute, string property) => Short(attribute) + "." + property;

    /// <summary>The name written in <c>[...]</c>: the type name without the <c>Attribute</c> suffix.</summary>
    public static string Short(Type attribute) => StripSuffix(attribute.Name);

    /// <summary>The name without a trailing <c>Attribute</c> (when something is left).</summary>
    public static string StripSuffix(string name) =>
        name.EndsWith("Attribute", StringComparison.Ordinal) && name.Length > "Attribute".Length
            ? name.Substring(0, name.Length - "Attribute".Length)
            : name;
}

/// <summary>The attributes' defaults, read from fresh instances (a default is written once, in the attribute).</summary>
internal static class AttributeDefaults
{
    public static readonly TeacherAttribute Teacher = new(typeof(object));
    public static readonly SelfTeacherAttribute SelfTeacher = new();
    public static readonly TrainAttribute Train = new();
    public static readonly DatasetAttribute Dataset = new(default);
    public static readonly LossAttribute Loss = new(default);
    public static readonly CalibratedTeacherAttribute CalibratedTeacher = new();
    public static readonly SyntheticDataAttribute SyntheticData = new();
}
