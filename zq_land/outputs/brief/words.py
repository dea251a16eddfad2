"""Every sentence and label of the brief, in Chinese and English: ``w(key, lang, **fields)``.

Keys starting ``pic.`` label the pictures (:mod:`zq_land.outputs.brief.figures`); the others, the document.
"""

from __future__ import annotations

#: Every sentence of the brief: key -> (Chinese, English), format fields filled by keyword.
WORDS: dict[str, tuple[str, str]] = {
    "title": ("关于产业项目用地与厂房配置方案的汇报", "Brief on the placement of industrial projects"),
    "subtitle": ("——{scenario}", "Scenario: {scenario}"),
    "dateline": ("（{date}）", "({date})"),
    "h.overview": ("一、总体情况", "1. Overview"),
    "h.figures": ("（一）主要指标", "1.1 Key figures"),
    "h.charts": ("（二）载体使用与产业分布", "1.2 Use of sites and investment by industry"),
    "h.map": ("二、项目落位分布", "2. Map of placements"),
    "h.placements": ("三、分地块落位明细", "3. Placements by plot"),
    "h.unplaced": ("四、未落位项目及原因", "4. Projects not placed and why"),
    "h.reference": ("五、与参考方案的调整", "5. Changes against the reference plan"),
    "h.rules": ("六、配置规则与权重", "6. Rules and weights"),
    "h.weights": ("（一）目标权重", "6.1 Weights of the objective"),
    "h.policy": ("（二）政策与规则", "6.2 Policy and rules"),
    "h.solver": ("（三）求解方法", "6.3 How the plan was found"),
    "h.sources": ("七、数据来源与校验", "7. Data sources and checksums"),
    "h.warnings": ("八、数据提示", "8. Data warnings"),
    "h.signoff": ("审签", "Sign-off"),
    "lead": (
        "本方案依据“{scenario}”情景，对评审通过的 {total} 个项目（计划投资 {inv_total}）配置土地、"
        "租赁厂房与平台空间。已落位 {placed} 个项目，落位投资 {inv_placed}，占计划投资的 {share}；"
        "其中供地 {n_land} 个、租赁厂房 {n_lease} 个、进驻平台 {n_platform} 个，使用土地 {land}、"
        "厂房和平台面积 {floor}，盘活低效土地 {rev_land}、低效厂房 {rev_floor}。{unplaced}{status}",
        "Under the scenario '{scenario}', the {total} projects that passed review (planned investment "
        "{inv_total}) were matched to land, leased factories and platform space. {placed} projects are placed, "
        "with {inv_placed} of investment, {share} of the planned total: {n_land} on granted land, {n_lease} in "
        "leased factories and {n_platform} in platforms, using {land} of land and {floor} of factory and "
        "platform floor, and revitalizing {rev_land} of inefficient land and {rev_floor} of inefficient "
        "floor. {unplaced}{status}",
    ),
    "lead.all_placed": ("全部项目均已落位。", "Every project is placed. "),
    "lead.unplaced": ("另有 {n} 个项目（投资 {inv}）暂未落位，原因见第四部分。",
                      "{n} projects ({inv}) are not placed; section 4 says why. "),
    "status.optimal": ("求解结果已证明最优：在所设规则与权重下，没有目标值更高的方案。",
                       "The plan is proven optimal: under these rules and weights no plan scores higher."),
    "status.feasible": ("求解结果可行但未证明最优：目标值与理论上限相差不超过 {gap}。",
                        "The plan is feasible but not proven optimal: it is within {gap} of the bound."),
    "status.time_limit": ("求解达到时间上限：所给方案可行，目标值与理论上限相差不超过 {gap}。",
                          "The solver reached its time limit: the plan is feasible and within {gap} of the "
                          "bound."),
    "status.infeasible": ("在所设规则下没有可行方案，请检查锁定与排除设置。",
                          "No plan meets the rules as set: check the locks and exclusions."),
    "status.unknown_gap": ("未知", "an unknown margin"),
    "fig.head": ("指标", "Figure"),
    "fig.value": ("数值", "Value"),
    "k.total": ("评审通过项目", "Projects that passed review"),
    "k.placed": ("已落位项目", "Projects placed"),
    "k.placed_detail": ("{n}（供地 {land}，租赁厂房 {lease}，平台 {platform}）",
                        "{n} ({land} on land, {lease} in factories, {platform} in platforms)"),
    "k.unplaced": ("未落位项目", "Projects not placed"),
    "k.inv_total": ("计划投资总额", "Planned investment"),
    "k.inv_placed": ("已落位投资", "Investment placed"),
    "k.inv_placed_value": ("{inv}（占 {share}）", "{inv} ({share})"),
    "k.land": ("供地面积", "Land granted"),
    "k.floor": ("使用厂房与平台面积", "Factory and platform floor used"),
    "k.rev_land": ("盘活低效土地", "Inefficient land revitalized"),
    "k.rev_floor": ("盘活低效厂房", "Inefficient floor revitalized"),
    "k.intensity": ("供地项目投资强度", "Investment intensity of land projects"),
    "k.distance": ("配套企业至龙头企业平均距离", "Mean distance from supplier to anchor"),
    "k.nev": ("新能源汽车及零部件项目落位", "NEV and parts projects placed"),
    "k.four": ("“4+4”产业项目落位", "'4+4' industry projects placed"),
    "k.sites_used": ("使用的载体", "Sites used"),
    "k.status": ("求解状态", "Solver status"),
    "k.none": ("无", "none"),
    "chart.use": ("图{n}  各类载体使用情况", "Figure {n}. Use of land, factories and platforms"),
    "chart.industry": ("图{n}  分产业落位投资", "Figure {n}. Investment placed by industry"),
    "map.caption": ("图{n}  项目落位分布示意图", "Figure {n}. Where the projects are placed"),
    "map.note": (
        "图中地块按载体类型着色，填充越深表示剩余容量越多；圆圈中的编号对应下表与第三部分的地块编号，"
        "五角星为龙头企业。地图依据运行结果中的地块数据绘制，未加底图。",
        "Sites are coloured by kind, a darker fill meaning more free capacity; the numbers in circles are "
        "the plot numbers of the table below and of section 3, stars mark the anchors. Drawn from the run's "
        "site data, without a basemap.",
    ),
    "key.no": ("编号", "No."),
    "key.site": ("地块", "Plot"),
    "key.kind": ("类型", "Kind"),
    "key.n": ("项目数\n（个）", "Count"),
    "key.use": ("已用 / 容量", "Used / capacity"),
    "key.share": ("使用率", "Used"),
    "pl.intro": ("共 {n} 个项目落位于 {sites} 处载体，按地块列示如下（编号与图{fig}一致）。",
                 "{n} projects are placed on {sites} sites, listed by plot (numbers as in figure {fig})."),
    "pl.none": ("本方案没有落位的项目。", "No project is placed in this plan."),
    "pl.pid": ("项目编号", "Project ID"),
    "pl.name": ("项目名称", "Project"),
    "pl.industry": ("产业", "Industry"),
    "pl.inv": ("投资额\n（亿元）", "Investment\n(100M yuan)"),
    "pl.use": ("使用面积", "Space used"),
    "un.intro": ("共 {n} 个项目暂未落位，计划投资 {inv}：", "{n} projects ({inv}) are not placed:"),
    "un.none": ("全部 {n} 个项目均已落位，没有未落位项目。", "All {n} projects are placed: none is left out."),
    "un.need": ("需求", "Need"),
    "un.reason": ("原因", "Reason"),
    "ref.none": ("本次运行未设参考方案，不作调整对比。", "The run had no reference plan: there is nothing to compare."),
    "ref.counts": ("与参考方案相比，参考方案已落位的项目中调整 {moved} 个、保持不变 {kept} 个。",
                   "Against the reference plan, {moved} of the projects it had placed moved and {kept} stayed."),
    "ref.no_moves": ("与参考方案相比，没有项目发生变化。", "No project changed against the reference plan."),
    "ref.list": ("发生变化的项目及其带来的效果如下：", "The projects that changed and what each change buys:"),
    "ref.from": ("参考方案地块", "Reference site"),
    "ref.to": ("本方案地块", "Site now"),
    "ref.change": ("变化", "Change"),
    "ref.buys": ("带来的效果", "What it buys"),
    "ref.unplaced_site": ("（未落位）", "(not placed)"),
    "w.intro": (
        "方案在满足全部规则的前提下，使目标值最高。目标值以“折合亿元”计，各项权重的含义如下：",
        "Among the plans that meet every rule, the plan with the highest objective is chosen. The objective "
        "is counted in 100M yuan of placed investment; the weights mean:",
    ),
    "w.investment": ("投资额（权重 {w}）：每落位 1 亿元计划投资，计 {w} 亿元。",
                     "Investment (weight {w}): each 100M yuan of planned investment placed counts {w}."),
    "w.projects": ("项目个数（权重 {w}）：每落位一个项目，计 {w} × 本批项目平均投资 {per} = {v}。",
                   "Number of projects (weight {w}): each project placed counts {w} × the mean investment per "
                   "project, {per}, = {v}."),
    "w.revitalization": (
        "盘活低效用地与厂房（权重 {w}）：每使用 1 亩低效土地，计 {w} × 供地类项目平均亩均投资 {per} = {v}；"
        "每 {m2}低效厂房折合 1 亩。",
        "Revitalization (weight {w}): each mu of inefficient land put to use counts {w} × the mean "
        "investment per mu of the land projects, {per}, = {v}; {m2} of inefficient floor counts as 1 mu.",
    ),
    "w.proximity": (
        "靠近龙头企业（权重 {w}）：配套企业所在地块离其龙头企业每远 {km}，扣 {w} × 平均单项目投资 {per} = {v}。",
        "Proximity to the anchor (weight {w}): each {km} between a supplier's site and its anchor costs "
        "{w} × the mean investment per project, {per}, = {v}.",
    ),
    "w.priority": ("优先级（权重 {w}）：每落位一个项目，计 {w} × 平均单项目投资 {per} × 该项目的优先级。",
                   "Priority (weight {w}): each project placed counts {w} × the mean investment per project, "
                   "{per}, × its priority."),
    "w.off": ("未计入的目标：{names}（权重为 0）。", "Not counted (weight 0): {names}."),
    "w.name.investment": ("投资额", "investment"),
    "w.name.projects": ("项目个数", "number of projects"),
    "w.name.revitalization": ("盘活低效用地与厂房", "revitalization"),
    "w.name.proximity": ("靠近龙头企业", "proximity to the anchor"),
    "w.name.priority": ("优先级", "priority"),
    "w.tax": ("亩均税收（权重 {w}）：项目预计年税收高出其用地按本批项目平均亩均税收 {avg} 应缴税收的部分，每 1 万元计 "
              "{w} × {per}（本批项目每万元税收对应的投资）；低于平均的，按差额扣减。"
              "用地有限时，优先安排亩均税收高的项目。",
              "Tax per mu (weight {w}): each 10k yuan of a project's expected annual tax above what its land would "
              "yield at the pipeline's average of {avg} counts {w} × {per} (the pipeline's investment per 10k yuan "
              "of tax); a shortfall costs as much. Land being scarce, this favours the projects with the most tax "
              "per mu."),
    "w.name.tax": ("亩均税收", "tax per mu"),
    "k.per_mu": ("亩均产值 / 亩均税收（已落位项目）", "Output / tax per mu (placed projects)"),
    "p.tax_floor": ("默认亩均税收下限：{v}；默认亩均产值下限：{o}（地块自设下限的，从其规定；"
                    "未填预计税收或产值的项目不作检查）。",
                    "Default floors: tax per mu {v}, output per mu {o} (a plot's own floor applies where it sets "
                    "one; projects without an expected tax or output are not checked)."),
    "h.efficiency": ("（三）亩均效益与盘活候选", "1.3 Per-mu efficiency and revitalization candidates"),
    "eff.lead": (
        "已落位项目预计年产值 {output}、年税收 {tax}、就业 {jobs}，占用土地及厂房 {space}；亩均投资 {inv}，"
        "亩均产值 {out_mu}，亩均税收 {tax_mu}，亩均就业 {jobs_mu}。厂房与平台按建筑面积折亩（{m2} 折 1 亩）；"
        "产值、税收与就业为项目申报的预计数。",
        "The placed projects expect an annual output of {output}, tax of {tax} and {jobs}, on {space} of land "
        "and floor: investment per mu {inv}, output per mu {out_mu}, tax per mu {tax_mu}, jobs per mu {jobs_mu}. "
        "Factory and platform floor counts in mu ({m2} to the mu); output, tax and jobs are the projects' own "
        "expected figures.",
    ),
    "eff.by_industry": ("分产业亩均效益如下表。", "By industry:"),
    "eff.industry": ("产业", "Industry"),
    "eff.output": ("年产值（万元）", "Output (10k yuan/yr)"),
    "eff.tax": ("年税收（万元）", "Tax (10k yuan/yr)"),
    "eff.jobs": ("就业（人）", "Jobs (people)"),
    "eff.inv_mu": ("亩均投资（万元/亩）", "Investment per mu (10k yuan/mu)"),
    "eff.out_mu": ("亩均产值（万元/亩）", "Output per mu (10k yuan/mu)"),
    "eff.tax_mu": ("亩均税收（万元/亩）", "Tax per mu (10k yuan/mu)"),
    "eff.total": ("合计", "Total"),
    "eff.grades": (
        "按{by}对 {n} 个载体评级（A 类前 {a}、B 类其次 {b}、C 类其次 {c}、D 类末位 {d}）：A 类 {na} 个、B 类 {nb} 个、"
        "C 类 {nc} 个、D 类 {nd} 个。",
        "{n} sites were graded on {by} (A the top {a}, B the next {b}, C the next {c}, D the bottom {d}): "
        "{na} A, {nb} B, {nc} C and {nd} D.",
    ),
    "eff.by.tax": ("亩均税收", "tax per mu"),
    "eff.by.output": ("亩均产值", "output per mu"),
    "eff.candidates": ("D 类载体列为盘活候选，在图 {fig} 中以红色斜线标出：",
                       "The D-grade sites are revitalization candidates, hatched in red on figure {fig}:"),
    "eff.no_candidates": ("本方案没有 D 类载体。", "No site is graded D."),
    "eff.site": ("载体", "Site"),
    "eff.kind": ("类型", "Kind"),
    "eff.n": ("项目数", "Projects"),
    "eff.grade": ("评级", "Grade"),
    "pic.candidate": ("D 类载体（盘活候选）", "D-grade site (revitalization candidate)"),
    "p.rules": (
        "每个项目至多落位一处载体，同一载体可容纳多个项目但不超过其容量；项目只进入类型相符"
        "（供地项目进入土地，租赁项目进入厂房，平台项目进入平台）、产业准入相符、满足投资强度下限且按期可供的载体；"
        "已占用的地块（含龙头企业用地）不再安排新项目。",
        "Each project goes to one site at most, and a site holds projects up to its capacity; a project goes "
        "only to a site of its kind (land projects to land, leasing projects to factories, platform projects "
        "to platforms) that admits its industry, whose investment-intensity floor it meets and that is "
        "available in time; occupied sites (the anchors' among them) take no new project.",
    ),
    "p.ratio": ("土地可用系数 {r}：地块面积的 {pct} 可供项目使用。",
                "Usable-land ratio {r}: {pct} of a plot's area is open to projects."),
    "p.floor": ("默认投资强度下限：{v}（地块自设下限的，从其规定）。",
                "Default investment-intensity floor: {v} (a plot's own floor applies where it sets one)."),
    "p.floor_none": ("不设", "none"),
    "p.as_of": ("可供日期以 {date} 为准。", "Availability is judged as of {date}."),
    "p.locks": ("锁定 {n} 个项目至指定地块：{items}。", "{n} projects are locked to their sites: {items}."),
    "p.forbid": ("禁止 {n} 个项目与地块的组合：{items}。", "{n} project-site pairs are forbidden: {items}."),
    "p.excl_sites": ("不参与配置的地块：{items}。", "Sites kept out: {items}."),
    "p.excl_projects": ("不参与配置的项目：{items}。", "Projects kept out: {items}."),
    "p.description": ("情景说明：{text}", "About the scenario: {text}"),
    "s.method": (
        "采用混合整数规划模型，由 {solver} 求解器求解{how}，时间上限 {limit}，允许相对间隙 {gap}{proof}。"
        "目标值 {obj}，上界 {bound}，相对间隙 {gap_now}，求解用时 {secs}。",
        "A mixed-integer programme solved by {solver}{how}, time limit {limit}, relative gap allowed {gap}{proof}. "
        "Objective {obj}, bound {bound}, gap {gap_now}, solved in {secs}.",
    ),
    "s.proof": ("（即要求证明最优）", " (optimality to be proven)"),
    "s.how": ("（本方案：{how}）", " (this plan: {how})"),
    "s.obj_unit": ("（折合亿元）", " (100M yuan equivalent)"),
    "src.intro": (
        "本材料依据下列输入文件。SHA-256 校验值用于核对数据是否改动：文件内容不变，校验值即不变。",
        "This brief rests on the input files below. A SHA-256 checksum shows whether a file has changed: "
        "the same content always gives the same checksum.",
    ),
    "src.none": ("本次运行的输入数据来自应用中载入的表格，运行结果未记录输入文件的校验值。",
                 "The run's inputs were tables loaded in the app: no file checksums were recorded."),
    "src.what": ("数据", "Data"),
    "src.file": ("文件", "File"),
    "src.size": ("大小", "Size"),
    "src.hash": ("SHA-256 校验值", "SHA-256 checksum"),
    "src.sites": ("地块数据", "Sites"),
    "src.projects": ("项目清单", "Projects"),
    "src.reference": ("参考方案", "Reference plan"),
    "src.other": ("其他输入", "Other input"),
    "src.scenario": ("情景设置（运行副本）", "Scenario (copy as run)"),
    "src.bytes": ("{n} 字节", "{n} bytes"),
    "warn.none": ("数据读取与求解过程中没有警告。", "Reading the data and solving raised no warning."),
    "warn.absent": ("本次运行的输出未记录数据警告。", "The run's outputs record no data warnings."),
    "warn.intro": ("数据读取与求解过程中有 {n} 条提示，请在审议时留意：",
                   "Reading the data and solving raised {n} warnings, to keep in mind in the review:"),
    "sign.drafted": ("拟稿", "Drafted by"),
    "sign.checked": ("审核", "Checked by"),
    "sign.issued": ("签发", "Issued by"),
    "sign.date": ("    年  月  日", "Date:"),
    "sign.note": ("本材料由产业用地配置工具依据运行结果自动生成，生成日期 {date}；运行结果写出于 {written}。",
                  "Made automatically from the run's outputs on {date}; the outputs were written on {written}."),
    "sign.unknown": ("未记录", "not recorded"),
    "u.projects": ("{n} 个", "{n}"),
    "u.sites": ("{n} 处", "{n}"),
    # the pictures
    "pic.numbered": ("有项目落位的地块（编号见下表）", "Site holding projects (numbers in the table)"),
    "pic.north": ("北", "N"),
    "pic.km": ("{n:g} 公里", "{n:g} km"),
    "pic.land_vacant": ("空闲土地", "Vacant land"),
    "pic.land_inefficient": ("低效土地（盘活）", "Inefficient land"),
    "pic.factory_vacant": ("空闲厂房", "Vacant factories"),
    "pic.factory_inefficient": ("低效厂房（盘活）", "Inefficient factories"),
    "pic.platform": ("平台/孵化载体", "Platforms"),
    "pic.used": ("使用率", "used"),
    "pic.use_note": ("彩色为已配置，浅灰为剩余；数字为已配置 / 容量", "Colour: allocated; light grey: free; "
                 "figures: allocated / capacity"),
    "pic.unit_land": ("亩", "mu"),
    "pic.unit_floor": ("平方米", "m²"),
    "pic.axis_land": ("面积（亩）", "Area (mu)"),
    "pic.axis_floor": ("面积（平方米）", "Floor (m²)"),
    "pic.title_land": ("土地", "Land"),
    "pic.title_floor": ("厂房与平台", "Factories and platforms"),
    "pic.axis_inv": ("落位投资（亿元）", "Investment placed (100M yuan)"),
    "pic.inv_label": ("{inv:,.2f} 亿元（{n} 个项目）", "{inv:,.2f} × 100M yuan ({n} projects)"),
}


def w(key: str, lang: str, **fields: object) -> str:
    """The brief's sentence ``key`` in ``lang``; unknown keys raise ``KeyError``."""
    zh, en = WORDS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text
