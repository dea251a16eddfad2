"""UI strings in Chinese and English: ``t(key, lang)`` for everything the app and the maps show.

Chinese is the default. Unknown keys raise ``KeyError`` (a typo must fail in tests, not show a raw key);
format fields are filled from keyword arguments: ``t("map.free", "en", free="12.5 mu")``.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh", "en"]
LANGS: Final[tuple[str, ...]] = ("zh", "en")
LANG_NAMES: Final = {"zh": "中文", "en": "English"}

# key -> (Chinese, English)
STRINGS: Final[dict[str, tuple[str, str]]] = {
    # app shell
    "app.title": ("肇庆高新区产业用地配置", "Zhaoqing High-tech Zone land and factory allocation"),
    "app.subtitle": (
        "zq_land：为评审通过的项目匹配土地、租赁厂房与平台空间",
        "zq_land: matching reviewed projects to land, leased factories and platform space",
    ),
    "app.language": ("语言 / Language", "语言 / Language"),
    "app.sample_note": (
        "示例数据：地块位置为示意，位于高新区范围内，并非真实红线。",
        "Sample data: plot positions are illustrative, inside the zone's extent, not surveyed boundaries.",
    ),
    "app.sites_file": ("地块文件", "Sites file"),
    "app.no_sites": ("未找到示例地块文件：{path}", "Sample sites file not found: {path}"),
    "app.load_error": ("地块文件无法读取", "The sites file cannot be used"),
    "app.map_header": ("地块分布图", "Map of sites"),
    "app.table_header": ("地块一览", "Sites"),
    "app.basemap": ("底图", "Basemap"),
    "app.offline_hint": (
        "地图脚本由本应用提供，内网无互联网时仍可显示地块；底图瓦片需要网络。",
        "Map scripts are served by this app, so sites show without internet; basemap tiles need a network.",
    ),
    "app.static_failed": (
        "无法写入 {path}：地图脚本改从互联网加载，内网环境下地图可能无法显示。",
        "Cannot write to {path}: map scripts now load from the internet and may not show on an intranet.",
    ),
    "app.upload_button": ("选择文件", "Choose a file"),
    "app.upload_limit": ("拖放文件到此处；每个文件不超过 200 MB", "Drop a file here; at most 200 MB per file"),
    "app.metric_sites": ("地块数", "Sites"),
    "app.metric_land": ("可供土地（亩）", "Land available (mu)"),
    "app.metric_floor": ("可租厂房/平台（平方米）", "Factory/platform floor (m2)"),
    # basemaps
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.tianditu_vec": ("天地图 矢量", "Tianditu vector"),
    "basemap.tianditu_img": ("天地图 影像", "Tianditu imagery"),
    "basemap.tianditu_vec_labels": ("天地图 矢量注记", "Tianditu vector labels"),
    "basemap.tianditu_img_labels": ("天地图 影像注记", "Tianditu imagery labels"),
    "basemap.gaode": ("高德 地图", "Gaode map"),
    "basemap.gaode_satellite": ("高德 卫星", "Gaode satellite"),
    "basemap.none": ("无底图", "No basemap"),
    # map categories (legend and layer control)
    "cat.land_vacant": ("空闲土地", "Vacant land"),
    "cat.land_inefficient": ("盘活低效用地", "Revitalized (inefficient) land"),
    "cat.factory": ("租赁厂房", "Leased factory"),
    "cat.platform": ("平台/孵化载体", "Platform / incubator"),
    "cat.occupied": ("已占用（含龙头企业）", "Occupied (incl. anchors)"),
    "cat.changed": ("项目有变化的地块", "Sites whose projects changed"),
    "cat.unchanged": ("项目未变化的地块", "Sites without change"),
    "cat.gained": ("新迁入项目的地块", "Sites that gained projects"),
    "cat.lost": ("有项目迁出的地块", "Sites that lost projects"),
    "cat.swapped": ("有迁入也有迁出的地块", "Sites that gained and lost projects"),
    "cat.empty": ("两次均无项目的地块", "Sites empty in both runs"),
    "layer.context": ("行政区与高新区范围（离线）", "Districts and the zone's extent (offline)"),
    "layer.moves": ("项目迁移（旧地块→新地块）", "Moved projects (old site → new)"),
    "legend.arrow": ("项目由原地块迁往新地块", "A project moved from its old site to its new one"),
    "legend.fill_title": ("填充：已配置容量占比", "Fill: share of capacity allocated"),
    "legend.outline_title": ("边框：载体类型", "Outline: kind of site"),
    "full.empty": ("未配置（已用 0 %）", "nothing allocated (0 % used)"),
    "full.part": ("已用不到 50 %", "under 50 % used"),
    "full.most": ("已用 50 % 至 90 %", "50 % to 90 % used"),
    "full.full": ("已用 90 % 以上（基本用满）", "90 % or more used (about full)"),
    "full.unknown": ("容量未知（缺面积）", "capacity unknown (no area)"),
    "pop.used_share": ("已用", "used"),
    "label.count": ("{n} 个项目", "{n} projects"),
    "label.more": ("……另有 {n} 个项目", "… and {n} more"),
    "search.placeholder": ("搜索地块或项目", "Search a plot or project"),
    "search.none": ("没有找到匹配的地块或项目", "No plot or project matches"),
    "search.plot": ("地块", "plot"),
    "search.project": ("项目", "project"),
    "map.title": ("{scenario}：项目落位图", "{scenario}: where the projects go"),
    "map.subtitle": ("制图日期 {date} · 已落位 {placed} / {total} 个项目 · 投资 {invest} 亿元",
                     "Made {date} · {placed} of {total} projects placed · {invest} × 100M yuan invested"),
    "layer.labels": ("地块名称", "Plot names"),
    "layer.anchors": ("龙头企业", "Anchors"),
    "layer.supplier_lines": ("配套企业—龙头连线", "Supplier-to-anchor lines"),
    "layer.candidates": ("D类载体（盘活候选）", "D-grade sites (revitalization candidates)"),
    "legend.title": ("图例", "Legend"),
    "legend.opacity": ("填充越深 = 剩余容量越多", "Darker fill = more free capacity"),
    "legend.anchor": ("龙头企业", "Anchor (chain leader)"),
    "legend.line": ("配套企业至龙头", "Supplier to anchor"),
    # popups
    "pop.any_industry": ("不限", "any"),
    "pop.area_geom": ("几何面积与填写面积不符（超过 5%），几何面积",
                      "geometry disagrees with the declared area (over 5 %): geometry"),
    "pop.projects": ("落地项目", "Projects"),
    "pop.no_projects": ("暂无项目", "no project yet"),
    "pop.moved_in": ("迁入", "Moved in"),
    "pop.moved_out": ("迁出", "Moved out"),
    "pop.kept": ("不变", "Unchanged"),
    # kinds / statuses shown in popups and tables
    "kind.land": ("土地", "land"),
    "kind.factory": ("厂房", "factory"),
    "kind.platform": ("平台", "platform"),
    "status.vacant": ("空闲", "vacant"),
    "status.inefficient": ("低效（盘活）", "inefficient (to revitalize)"),
    "status.occupied": ("已占用", "occupied"),
    # pages (tabs)
    "page.data": ("数据", "Data"),
    "page.scenario": ("情景", "Scenario"),
    "page.results": ("结果", "Results"),
    "page.compare": ("对比", "Compare"),
    "page.runs": ("方案记录", "Runs"),
    # sidebar and shared
    "app.choose": ("请选择（可多选）", "Choose options"),
    "app.tianditu_key": ("天地图密钥（tk）", "Tianditu key (tk)"),
    "app.tianditu_key_help": (
        "填写后可选天地图底图；也可由服务器环境变量 ZQ_TIANDITU_KEY 提供。密钥只保存在本次会话中。",
        "Enables the Tianditu basemaps; the server may also set ZQ_TIANDITU_KEY. Kept in this session only.",
    ),
    # data page
    "data.header": ("数据：地块与项目", "Data: sites and projects"),
    "data.current": ("当前地块文件：**{sites}**；项目文件：**{projects}**",
                     "Sites file in use: **{sites}**; projects file: **{projects}**"),
    "data.sample_file": ("{name}（2022 年示例）", "{name} (2022 sample)"),
    "data.use_sample": ("改回 2022 年示例数据", "Back to the 2022 sample"),
    "data.upload_sites": ("上传地块文件", "Upload a sites file"),
    "data.upload_sites_help": ("GeoPackage、GeoJSON 或 Shapefile 压缩包（.zip）",
                               "GeoPackage, GeoJSON or a zipped Shapefile (.zip)"),
    "data.upload_projects": ("上传项目清单", "Upload a project list"),
    "data.upload_projects_help": ("Excel（.xlsx）或 CSV", "Excel (.xlsx) or CSV"),
    "data.upload_ok": ("已读取 {name}，现用于求解", "{name} was read and is now in use"),
    "data.upload_refused": ("{name} 无法使用，请按下表修改后重新上传",
                            "{name} cannot be used: fix what the table lists and upload it again"),
    "data.mapping": ("列映射：指定未识别的列", "Column mapping: say what unrecognised columns are"),
    "data.mapping_help": ("下列是文件中未被识别的列名，请为每列选择对应的标准列（不需要的列保持“不使用”）。",
                          "These headers of the file were not recognised: pick the standard column each one "
                          "holds (leave the others at 'not used')."),
    "data.mapping_none": ("不使用 / 原样保留", "not used / kept as is"),
    "data.mapping_apply": ("按此映射重新读取", "Read again with this mapping"),
    "data.pruned": ("{n} 条锁定、禁止或排除设置引用了新数据中没有的编号，已移除",
                    "{n} lock, forbid or exclusion entries named ids the new data does not hold: removed"),
    "data.metric_projects": ("项目数", "Projects"),
    "data.metric_investment": ("计划投资（亿元）", "Investment (100M yuan)"),
    "data.projects_header": ("项目清单", "Projects"),
    # validation problems
    "prob.severity": ("级别", "Severity"),
    "prob.file": ("文件", "File"),
    "prob.row": ("行", "Row"),
    "prob.id": ("编号", "Id"),
    "prob.column": ("列", "Column"),
    "prob.message": ("说明", "Message"),
    "prob.error": ("错误", "error"),
    "prob.warning": ("警告", "warning"),
    # scenario page
    "sc.header": ("情景设置", "Scenario"),
    "sc.base": ("从哪个情景开始", "Start from"),
    "sc.base_uploaded": ("已上传：{name}", "Uploaded: {name}"),
    "sample.review_2022_recorded": ("2022 年评审结果（按记录锁定）", "2022 review as recorded (locked)"),
    "sample.review_2022_optimised": ("2022 年重新优化（不锁定）", "2022 review re-optimised (no locks)"),
    "sample.nev_cluster": ("新能源汽车产业集聚", "NEV cluster"),
    "sample.land_saving": ("节约集约用地", "Land saving"),
    "sc.name": ("情景名称", "Scenario name"),
    "sc.weights": ("方案得分的权重（得分越高越好）",
                   "What a plan scores for (higher is better)"),
    "sc.w_investment": ("投资额", "Investment"),
    "sc.w_investment_help": ("每落位 1 亿元计划投资，得分加 w",
                             "each 100M yuan of investment placed adds w to the score"),
    "sc.w_projects": ("项目个数", "Number of projects"),
    "sc.w_projects_help": ("每多落位一个项目，得分加 w 个“平均项目投资额”",
                           "each project placed adds w times the mean investment of a project"),
    "sc.w_revitalization": ("盘活低效用地/厂房", "Revitalization"),
    "sc.w_revitalization_help": ("每盘活 1 亩低效土地（或折合面积的厂房），得分加 w 个“平均每亩投资额”",
                                 "each mu of inefficient land (or its floor equivalent) put to use adds w times the "
                                 "mean investment per mu"),
    "sc.w_proximity": ("靠近龙头企业", "Proximity to anchor"),
    "sc.w_proximity_help": ("配套企业离龙头企业每远一段参考距离，得分减 w 个“平均项目投资额”",
                            "each reference distance between a supplier and its anchor takes w times the mean "
                            "investment of a project off the score"),
    "sc.w_tax": ("亩均税收", "Tax per mu"),
    "sc.w_tax_help": ("项目预计年税收高出（低于）其用地按本批平均亩均税收应缴税收的部分，"
                      "每万元得分加（减）w 个“每万元税收对应的投资额”（须项目表有预计税收）",
                      "each 10k yuan of a project's expected tax above (below) what its land yields at the "
                      "pipeline's average tax per mu adds (takes off) w times the investment per 10k yuan of tax "
                      "(needs the tax figures)"),
    "sc.tax_floor": ("默认亩均税收下限（万元/亩）", "Default tax-per-mu floor (10k yuan/mu)"),
    "sc.tax_floor_help": ("供地项目的预计税收 ÷ 用地不得低于此值；地块自设下限的从其规定；未填税收的项目不检查",
                          "a land project's expected tax / its land must reach this; a plot's own floor applies "
                          "where set; projects without a tax figure are not checked"),
    "sc.w_priority": ("优先级", "Priority"),
    "sc.w_priority_help": ("每落位一个项目，得分加 w 个“平均项目投资额”再乘以其优先级",
                           "each project placed adds w times the mean investment of a project times its priority"),
    "sc.policy": ("政策参数", "Policy"),
    "sc.ratio": ("土地可用系数", "Usable-land ratio"),
    "sc.ratio_help": ("地块面积中可供项目使用的比例（0–1）", "share of a plot's area projects may use (0-1)"),
    "sc.floor": ("默认投资强度下限（万元/亩）", "Default intensity floor (10k yuan/mu)"),
    "sc.floor_none": ("不设", "none"),
    "sc.floor_help": ("地块未设下限时适用；留空为不设", "applies where a site sets none; empty = none"),
    "sc.excl_sites": ("排除的地块", "Sites kept out"),
    "sc.excl_projects": ("排除的项目", "Projects kept out"),
    "sc.solver": ("计算设置", "Computation"),
    "sc.solver_name": ("计算程序", "Optimisation program"),
    "sc.time_limit": ("时间上限（秒）", "Time limit (s)"),
    "sc.gap": ("可接受的差距（与理论最好方案相比）",
               "Shortfall accepted (against the best possible plan)"),
    "sc.gap_help": ("0 表示一直计算到确认没有更好的方案（或到时间上限）；"
                    "0.01 表示差距在 1 % 以内即可停止",
                   "0 = compute until no better plan can exist (or the time limit); "
                   "0.01 = stop within 1 % of the best"),
    # plans a review meeting can rely on (issue 11): the reference plan and what the results page shows of it
    "sc.reference": ("参考方案（尽量少调整）", "Reference plan (move as few projects as possible)"),
    "sc.reference_none": ("不设参考方案", "No reference plan"),
    "sc.reference_help": ("选择此前的一次运行：在保持最优（或下方允许的损失内）的方案中，选调整项目最少的一个。",
                          "Pick an earlier run: among the plans that keep the optimum (or lose at most the share "
                          "below), the one that moves the fewest of its projects."),
    "sc.loss": ("为减少调整，最多可放弃的方案得分（%）", "Plan score you would give up for fewer moves (%)"),
    "sc.loss_help": ("0 表示不放弃任何得分，只在同样好的方案中选调整最少的；2 表示最多少 2 % 的得分以换取更少的调整。",
                     "0 = give up nothing, only choose among equally good plans; 2 = accept up to 2 % less of "
                     "the plan score for fewer moves."),
    "res.warnings": ("数据与求解提示（{n} 条）", "Data and solver warnings ({n})"),
    "res.moves": ("与参考方案相比：保留 {kept} 个，调整 {moved} 个{proven}", "Against the reference plan: {kept} kept, "
                  "{moved} moved{proven}"),
    "res.moves_proven": ("（已证明为最少调整）", " (proven fewest)"),
    "sc.locks": ("锁定（项目 → 地块）", "Locks (project -> site)"),
    "sc.locks_help": ("锁定的项目必须落在指定地块。可在表中增删行。",
                      "A locked project must go to its site. Add or delete rows in the table."),
    "sc.forbid": ("禁止的组合", "Forbidden pairs"),
    "sc.forbid_help": ("所列项目不得进入所列地块。", "The project may not go to the site."),
    "sc.incomplete_rows": ("{n} 行只填了一半，未计入", "{n} half-filled row(s) ignored"),
    "sc.run": ("运行求解", "Run"),
    "sc.save": ("保存情景（TOML）", "Save scenario (TOML)"),
    "sc.load": ("载入情景文件（TOML）；文件中的数据路径将被忽略，使用本页已载入的数据",
                "Load a scenario (TOML); its file paths are ignored in favour of the data loaded here"),
    "sc.load_refused": ("情景文件 {name} 无法使用", "The scenario file {name} cannot be used"),
    "sc.loaded": ("已载入情景：{name}", "Scenario loaded: {name}"),
    # running
    "run.invalid": ("情景设置有误，请按下表修改", "The scenario settings are not valid: see the table"),
    "run.running": ("正在求解：{name}", "Solving: {name}"),
    "run.step_solve": ("构建模型并用 {solver} 求解（时间上限 {limit} 秒）…",
                       "Building the model and solving with {solver} (time limit {limit} s)..."),
    "run.done": ("求解完成：{name}（{status}）", "Solved: {name} ({status})"),
    "run.proven": ("最终方案已出，替换了临时方案（点击运行后 {seconds} 秒；{status}）",
                   "The final plan is in and has replaced the interim one ({seconds} s after the click; {status})"),
    "run.interim": ("已显示目前找到的最好方案；求解器仍在证明最优",
                    "The best plan found so far is shown; the solver is still proving the optimum"),
    "run.failed": ("无法求解", "Could not solve"),
    "run.crashed": ("求解出错：{error}", "The solver failed: {error}"),
    "solve.optimal": ("已证明最优", "proven optimal"),
    "solve.feasible": ("可行（未证明最优）", "feasible (not proven optimal)"),
    "solve.infeasible": ("无可行解", "infeasible"),
    "solve.time_limit": ("达到时间上限", "time limit reached"),
    "solve.interim": ("临时方案", "interim"),
    # results page
    "res.none": ("尚无结果：请在“情景”页设置并运行，或直接运行当前情景。",
                 "No result yet: set a scenario on the Scenario page and run it, or run the current one."),
    "res.header": ("结果：{name}", "Result: {name}"),
    "res.stale": ("本结果与“情景”页的当前设置不一致（设置或数据已改动，或结果来自对比页）；重新运行后生效。",
                  "This result does not match the Scenario page (settings or data changed, or it came from "
                  "the Compare page): run again to see the change."),
    "res.rerun": ("按当前情景重新运行", "Run the current scenario"),
    "res.interim": ("临时方案：这是求解器目前找到的最好方案，得分 {objective} 亿元当量，"
                    "与理论最高（{bound}）的差距不超过 {gap}。求解器仍在证明最优，完成后本页自动换为最终方案；"
                    "“备选地块”、下载与汇报材料随最终方案提供。",
                    "An interim plan: the best the solver has found so far, score {objective} (100M yuan equivalent), "
                    "within {gap} of the best possible ({bound}). The solver is still proving the optimum and this "
                    "page shows the final plan when it ends; the alternative plots, the downloads and the brief "
                    "come with the final plan."),
    "res.interim_clock": ("求解器仍在工作：点击运行后已 {seconds} 秒", "The solver is still working: {seconds} s since "
                          "the click"),
    "res.interim_later": ("最终方案出来后提供。", "Available once the final plan is in."),
    "kpi.investment_help": ("计划投资共 {total} 亿元，已落位 {share}",
                            "{share} of {total} (100M yuan) planned"),
    "kpi.status": ("求解状态", "Result status"),
    "kpi.status_help": ("与理论最好方案的差距不超过 {gap}；计算用时 {seconds} 秒",
                        "within {gap} of the best possible plan; computed in {seconds} s"),
    "kpi.solver_help": (
        "得分：按情景权重给方案打的分，只看投资时就是已落位投资（亿元）。理论最高：任何方案都达不到更高的得分；"
        "两者相等即已证明没有更好的方案。{message}",
        "Score: what the scenario's weights give the plan; with investment alone it is the investment placed "
        "(100M yuan). Best possible: no plan can score higher; when the two are equal no better plan exists. "
        "{message}",
    ),
    "kpi.solver_line": (
        "方案得分 {objective} 亿元当量，理论最高 {bound} 亿元当量，差距不超过 {gap}；计算用时 {seconds} 秒。",
        "Plan score {objective} (100M yuan equivalent), best possible {bound}, within {gap}; computed in "
        "{seconds} s.",
    ),
    "res.map": ("结果地图", "Result map"),
    "res.lines": ("显示配套企业—龙头连线", "Show supplier-to-anchor lines"),
    "res.lines_help": ("也可在地图右上角的图层控件中开关", "also in the map's layer control"),
    "res.map_help": ("点击地块即在右侧查看；放大地图可看到每个地块上的项目；左上角可搜索地块或项目。",
                     "Click a plot to see it on the right; zoom in to see each plot's projects; search a plot or "
                     "project at the top left."),
    "res.panel_site": ("选中的地块", "Selected plot"),
    "res.panel_site_help": ("在地图上点击地块，或在此选择", "click a plot on the map, or choose it here"),
    "res.panel_capacity": ("容量（{unit}）", "Capacity ({unit})"),
    "res.panel_used": ("已配置（{unit}）", "Allocated ({unit})"),
    "res.panel_free": ("剩余（{unit}）", "Free ({unit})"),
    "res.panel_share": ("已配置容量的 {share}", "{share} of its capacity allocated"),
    "res.panel_projects": ("该地块上的项目：{n} 个", "Projects on this plot: {n}"),
    "res.panel_col_project": ("项目", "Project"),
    "res.panel_col_invest": ("投资额（亿元）", "Investment (100M yuan)"),
    "res.panel_col_need": ("需求（{unit}）", "Need ({unit})"),
    "res.rerun_failed_old": ("重新运行未成功（原因见上）：页面上的地图和数字仍是上一次运行的结果。",
                             "The new run did not succeed (see why above): the map and figures are still those "
                             "of the earlier run."),
    "res.pin_refused": ("该项目不满足进入该地块的规则（见上），不能锁定到这里。",
                        "The project fails a rule for this plot (see above), so it cannot be pinned here."),
    "res.tab_assignments": ("项目落位表", "Assignments"),
    "res.tab_unplaced": ("未落位项目", "Unplaced projects"),
    "res.tab_alternatives": ("备选地块", "Alternative plots"),
    "res.tab_site_use": ("地块使用与亩均", "Site use and per-mu figures"),
    "res.tab_charts": ("图表", "Charts"),
    "res.tab_downloads": ("下载", "Downloads"),
    "res.assignments": ("项目落位表", "Assignments"),
    "res.filter_status": ("落位状态", "Status"),
    "res.filter_site_kind": ("载体类型", "Site kind"),
    "res.filter_industry": ("产业", "Industry"),
    "res.filter_zone": ("片区", "Zone"),
    "res.rows": ("显示 {n} / {total} 个项目", "{n} of {total} projects shown"),
    "res.yes": ("是", "yes"),
    "result_status.placed": ("已落位", "placed"),
    "result_status.unplaced": ("未落位", "unplaced"),
    "res.unplaced": ("未落位项目及原因（{n} 个）", "Unplaced projects and why ({n})"),
    "res.unplaced_full": ("展开查看每个项目的完整原因", "Each project's reason in full"),
    "res.all_placed": ("全部项目均已落位", "Every project is placed"),
    "res.why": ("为什么不在这个地块？锁定或禁止", "Why not this site? Pin or forbid"),
    "res.why_help": ("选一个项目和一个地块：列出不满足的规则或未被选中的原因；"
                     "可将项目锁定到该地块或禁止该组合，然后重新运行。",
                     "Pick a project and a site: the rules that fail, or why it was not chosen. Pin the "
                     "project there or forbid the pair, then run again."),
    "res.why_project": ("项目", "Project"),
    "res.why_site": ("地块", "Site"),
    "res.now_on": ("该项目当前落在 **{site}**。", "This project is now on **{site}**."),
    "res.now_unplaced": ("该项目当前未落位。", "This project is not placed now."),
    "res.pin": ("锁定 {project} → {site}", "Pin {project} -> {site}"),
    "res.forbid": ("禁止 {project} → {site}", "Forbid {project} -> {site}"),
    "res.pinned": ("已锁定 {project} → {site}，锁定表已更新；重新运行后生效。",
                   "Pinned {project} -> {site}; the lock table is updated. Run again to apply."),
    "res.forbidden": ("已禁止 {project} → {site}；重新运行后生效。",
                      "Forbade {project} -> {site}. Run again to apply."),
    "res.pairs_now": ("当前情景：{locks} 条锁定，{forbid} 条禁止。",
                      "Current scenario: {locks} locks, {forbid} forbidden pairs."),
    "res.chart_land": ("土地使用（亩）", "Land use (mu)"),
    "res.chart_floor": ("厂房/平台使用（平方米）", "Factory and platform use (m2)"),
    "res.chart_empty": ("（无数据）", "(nothing to show)"),
    "res.chart_used": ("已配置", "used"),
    "res.chart_free": ("剩余", "free"),
    "res.chart_intensity": ("各地块投资强度（万元/亩）", "Investment intensity by site (10k yuan/mu)"),
    "res.chart_intensity_axis": ("投资强度", "intensity"),
    "res.site_use": ("载体使用与剩余容量", "Site use and free capacity"),
    "res.site_use_help": ("“剩余”为仍可配置的容量；使用率以百分比表示。",
                          "'Free' is the capacity still open; utilisation is in per cent."),
    "res.downloads": ("下载（评审会材料）", "Downloads (for the review meeting)"),
    "dl.workbook": ("Excel 工作簿", "Excel workbook"),
    "dl.csv": ("落位表 CSV", "Assignments CSV"),
    "dl.geojson": ("地块 GeoJSON", "Sites GeoJSON"),
    "dl.map": ("离线地图 HTML", "Offline map HTML"),
    "dl.audit": ("审计包 ZIP", "Audit bundle ZIP"),
    "dl.brief_docx": ("汇报材料 Word", "Brief (Word)"),
    "dl.brief_pdf": ("汇报材料 PDF", "Brief (PDF)"),
    "dl.compare": ("对比 Excel", "Comparison Excel"),
    # compare page
    "cmp.header": ("情景对比", "Compare scenarios"),
    "cmp.help": ("选择本次会话中的两个结果（A 与 B），查看指标差值（B − A）、调整的项目和变化地图。",
                 "Pick two results of this session (A and B): KPI deltas (B - A), the projects that moved "
                 "and a map of the changes."),
    "cmp.run_pair": ("运行“2022 按记录”与“重新优化”并对比",
                     "Run '2022 as recorded' and 'optimised' and compare"),
    "cmp.need_two": ("需要至少两个结果：运行两个情景，或点击上方按钮。",
                     "Two results are needed: run two scenarios, or press the button above."),
    "cmp.a": ("方案 A", "Scenario A"),
    "cmp.b": ("方案 B", "Scenario B"),
    "cmp.kpis": ("指标对比", "KPI deltas"),
    "cmp.moved": ("调整的项目（{n} 个）", "Projects that moved ({n})"),
    "cmp.none_moved": ("两个方案的落位完全相同", "Both results place every project alike"),
    "cmp.map": ("变化地图", "Map of the changes"),
    "change.moved": ("换了地块", "moved"),
    "change.newly_placed": ("新落位", "newly placed"),
    "change.unplaced": ("不再落位", "no longer placed"),
    # the workspace store (sidebar) and the runs page
    "ws.user": ("您的姓名（记入方案与决定）", "Your name (kept with runs and decisions)"),
    "ws.user_help": ("留空时记为服务器的登录用户", "When empty, the server's login name is recorded"),
    "ws.where": ("方案存储：{url}（{backend}）", "Store: {url} ({backend})"),
    "ws.backend_geopackage": ("GeoPackage 文件", "GeoPackage file"),
    "ws.backend_postgis": ("PostGIS 数据库", "PostGIS database"),
    "ws.off": ("方案存储已由服务器关闭：刷新页面后结果不保留", "The server has the store turned off: "
               "results do not survive a reload"),
    "ws.failed": ("方案存储无法使用：", "The store cannot be used:"),
    "ws.save_failed": ("方案未能存入存储（见侧栏）；结果仍可查看", "The run could not be saved in the store (see the "
                       "sidebar); the result still shows"),
    "runs.header": ("方案记录", "Runs recorded"),
    "runs.help": ("所有规划人员的方案都记在同一个存储里：刷新页面、重启服务后仍在。",
                  "Every planner's runs are kept in one store: they survive a reload and a server restart."),
    "runs.no_store": ("未启用方案存储，没有可列出的方案。", "No store is in use: there are no runs to list."),
    "runs.none": ("存储中还没有方案：在“情景”页运行一次即会记录。", "No runs in the store yet: every run on the "
                  "Scenario page is recorded."),
    "runs.f_dataset": ("数据集", "Data set"),
    "runs.f_scenario": ("情景", "Scenario"),
    "runs.f_since": ("起始日期", "From"),
    "runs.f_until": ("截止日期", "Until"),
    "runs.rows": ("共 {n} 个方案", "{n} runs"),
    "runs.col_id": ("编号", "ID"),
    "runs.col_label": ("名称", "Label"),
    "runs.col_scenario": ("情景（版本）", "Scenario (version)"),
    "runs.col_dataset": ("数据集", "Data set"),
    "runs.col_status": ("求解状态", "Status"),
    "runs.col_objective": ("方案得分（亿元当量）", "Score (100M yuan equivalent)"),
    "runs.col_placed": ("已落位 / 项目数", "Placed / projects"),
    "runs.col_investment": ("已落位投资（亿元）", "Investment placed (100M yuan)"),
    "runs.col_created": ("记录时间", "Recorded"),
    "runs.col_by": ("记录人", "By"),
    "runs.pick": ("选择方案", "Choose a run"),
    "runs.open": ("打开此方案（地图与表格）", "Open this run (map and tables)"),
    "runs.rename": ("新名称", "New label"),
    "runs.rename_btn": ("重命名", "Rename"),
    "runs.renamed": ("方案 #{id} 已重命名", "Run #{id} renamed"),
    "runs.delete_confirm": ("确认删除方案 #{id}", "Confirm deleting run #{id}"),
    "runs.delete_btn": ("删除方案", "Delete the run"),
    "runs.deleted": ("方案 #{id} 已删除（由它采纳的决定仍保留）", "Run #{id} deleted (decisions adopted from it stay)"),
    "runs.adopt_header": ("采纳为评审决定", "Adopt as decisions"),
    "runs.adopt_help": ("把此方案的全部落位记为评审会决定；之后的运行都会锁定这些决定。",
                        "Record every placement of this run as a review-meeting decision; later runs lock them."),
    "runs.meeting": ("评审会次数", "Review meeting no."),
    "runs.meeting_date": ("评审会日期", "Meeting date"),
    "runs.note": ("备注", "Note"),
    "runs.adopt_btn": ("采纳此方案的落位", "Adopt this run's placements"),
    "runs.adopted": ("已记录 {n} 个决定（来自方案 #{id}）", "{n} decisions recorded (from run #{id})"),
    "runs.conflict": ("与现行决定冲突，未作任何改动：", "Conflicts with decisions in force; nothing was changed:"),
    "runs.compare_header": ("比较两个方案", "Compare two runs"),
    "runs.a": ("方案 A", "Run A"),
    "runs.b": ("方案 B", "Run B"),
    "runs.decisions_header": ("现行决定（{n} 个）", "Decisions in force ({n})"),
    "runs.no_decisions": ("还没有决定。", "No decisions yet."),
    "runs.locked_note": ("之后在本数据上的运行会锁定其中 {n} 个决定。", "Later runs on this data lock {n} of them."),
    "runs.dcol_id": ("编号", "ID"),
    "runs.dcol_project": ("项目编号", "Project"),
    "runs.dcol_site": ("地块编号", "Plot"),
    "runs.dcol_need": ("占用", "Need"),
    "runs.dcol_meeting": ("评审会", "Meeting"),
    "runs.dcol_date": ("日期", "Date"),
    "runs.dcol_by": ("决定人", "By"),
    "runs.dcol_note": ("备注", "Note"),
    "runs.dcol_run": ("来自方案", "From run"),
    "runs.supersede_pick": ("要取代的决定", "Decision to supersede"),
    "runs.supersede_site": ("新地块（留空即撤回）", "New plot (empty: withdraw)"),
    "runs.supersede_btn": ("取代", "Supersede"),
    "runs.superseded": ("决定 #{id} 已取代", "Decision #{id} superseded"),
    # uncertainty page and Pareto chart (issue 15)
    "page.uncertainty": ("不确定性", "Uncertainty"),
    "pareto.title": ("投资、盘活与配套距离的帕累托前沿", "Pareto front: investment, revitalization, supplier distance"),
    "pareto.axis_revit": ("盘活低效用地及厂房（亩当量）", "Inefficient land and floor revitalized (mu equivalent)"),
    "pareto.axis_investment": ("已落位投资（亿元）", "Investment placed (100M yuan)"),
    "pareto.axis_km": ("配套企业至龙头平均距离（公里）", "Mean supplier-anchor distance (km)"),
    "pareto.front": ("前沿上的方案", "Plans on the front"),
    "pareto.dominated": ("被其他方案全面超过", "Beaten on all three by another plan"),
    "chance.legend": ("地块被使用的概率", "Chance the site is used"),
    "chance.never": ("从不使用", "never"),
    "chance.low": ("低于 25%", "under 25 %"),
    "chance.mid": ("25% 至 50%", "25 % to 50 %"),
    "chance.high": ("50% 至 75%", "50 % to 75 %"),
    "chance.very_high": ("75% 以上（不到 100%）", "75 % to under 100 %"),
    "chance.always": ("每个样本都使用", "used in every sample"),
    "chance.popup": ("使用概率 {p}", "used in {p} of samples"),
    "unc.header": ("项目落地不确定性：抽样分析", "Will the projects land? A sampled analysis"),
    "unc.help": (
        "并非每个通过评审的项目都会落地（2022 年 37 个租赁项目中 28 个落地）。"
        "这里按落地概率抽取许多种“实际到来的项目”，每一种都用求解器求出最优方案，"
        "统计每个地块被用到的概率、已落位投资的 P10/P50/P90，并给出在各种情况下都稳健的方案。"
        "项目表中的“落地概率”列优先；其余项目用下面按落地方式设定的概率，再用默认概率。",
        "Not every project that passes review lands (28 of the 37 leasing projects of 2022 did). This draws many "
        "sets of arriving projects by their landing chances, solves each to its optimum, and reports how likely "
        "each plot is to be used, P10/P50/P90 of the investment placed, and a plan that holds up whoever "
        "arrives. A project's own landing-probability column wins; the others take the rate of their landing "
        "mode below, "
        "else the default.",
    ),
    "unc.samples": ("样本数", "Samples"),
    "unc.samples_help": ("抽样的情景个数；越多越准，耗时与样本数成正比。", "How many sampled pipelines; more is "
                         "more precise, and the time grows with it."),
    "unc.seed": ("随机种子", "Seed"),
    "unc.seed_help": ("同一种子得到同样的样本和同样的结果，与进程数无关。", "The same seed gives the same samples "
                      "and the same results, whatever the number of workers."),
    "unc.workers": ("本机并行进程数", "Local worker processes"),
    "unc.workers_help": ("本机 Dask 集群的进程数（每个一个线程）；填写调度器地址时不用。", "Processes of the local "
                         "Dask cluster (one thread each); not used when a scheduler address is given."),
    "unc.scheduler": ("Dask 调度器地址（可选）", "Dask scheduler (optional)"),
    "unc.scheduler_help": ("已有集群的地址，如 tcp://10.0.0.5:8786；留空则在本机启动。集群须装有 zq_land 的依赖包，"
                           "zq_land 本身由本机发送。", "Address of an existing cluster, e.g. tcp://10.0.0.5:8786; "
                           "empty starts one on this machine. The cluster needs zq_land's dependencies; zq_land "
                           "itself is sent from here."),
    "unc.p_header": ("落地概率", "Landing probabilities"),
    "unc.p_default": ("默认概率", "Default"),
    "unc.p_default_help": ("没有自身概率、也没有按方式设定概率的项目所用的概率（报告：109 个项目中 101 个开工，"
                           "0.927）。", "For projects with neither their own landing probability nor a rate for "
                           "their mode (the "
                           "report: 101 of 109 projects started construction, 0.927)."),
    "unc.p_mode": ("{mode}项目", "{mode} projects"),
    "unc.p_mode_help": ("按落地方式设定的概率；留空则用默认概率（报告：租赁 28/37 = 0.757）。", "The rate for this "
                        "landing mode; empty uses the default (the report: leasing 28/37 = 0.757)."),
    "unc.p_table": ("各项目的落地概率（平均 {mean}，期望落地投资 {invest} 亿元）", "Each project's landing "
                    "probability (mean {mean}, expected investment arriving {invest} × 100M yuan)"),
    "unc.source_column": ("项目表", "projects file"),
    "unc.source_mode": ("按落地方式", "by landing mode"),
    "unc.source_industry": ("按产业", "by industry"),
    "unc.source_default": ("默认", "default"),
    "unc.run_sweep": ("运行抽样分析", "Run the sweep"),
    "unc.run_pareto": ("计算帕累托前沿", "Compute the front"),
    "unc.cancel": ("取消", "Cancel"),
    "unc.cancelled": ("已取消，未保留任何结果。", "Cancelled; nothing was kept."),
    "unc.starting": ("正在启动 Dask 集群……", "Starting the Dask cluster…"),
    "unc.stage_samples": ("求解样本 {done}/{total}", "Solving samples {done}/{total}"),
    "unc.stage_robust": ("评估稳健方案 {done}/{total}", "Evaluating the robust plan {done}/{total}"),
    "unc.stage_pareto": ("求解前沿点 {done}/{total}", "Solving front points {done}/{total}"),
    "unc.result_header": ("抽样结果（{n}/{total} 个样本）", "Results ({n} of {total} samples)"),
    "unc.p10": ("已落位投资 P10（亿元）", "Investment placed, P10 (100M yuan)"),
    "unc.p50": ("已落位投资 P50（亿元）", "Investment placed, P50 (100M yuan)"),
    "unc.p90": ("已落位投资 P90（亿元）", "Investment placed, P90 (100M yuan)"),
    "unc.pxx_help": ("P10：十分之一的样本低于此值；P50：中位数；P90：十分之九的样本低于此值。", "P10: one sample in "
                     "ten places less; P50: the median; P90: nine in ten place less."),
    "unc.land90": ("90% 样本所需土地（亩）", "Land needed at 90 % (mu)"),
    "unc.land90_help": ("各样本最优方案所用土地的第 90 百分位：预留这么多土地，十个样本中有九个够用。", "The 90th "
                        "percentile of the land the samples' plans use: holding this much is enough in nine "
                        "samples out of ten."),
    "unc.regret": ("稳健方案平均遗憾（亿元）", "Robust plan, mean regret (100M yuan)"),
    "unc.regret_help": ("固定采用稳健方案、到来的项目按方案落位时，比各样本最优方案平均少得的得分；按“所有项目都来”"
                        "规划时为 {all}。", "What the robust plan, kept fixed with the arriving projects placed as "
                        "it says, falls short of each sample's optimum on average; planning as if every project "
                        "came: {all}."),
    "unc.run_line": ("{workers} 个进程，用时 {seconds} 秒，种子 {seed}，失败样本 {failed} 个。", "{workers} "
                     "workers, {seconds} s, seed {seed}, {failed} failed samples."),
    "unc.map": ("地块被使用的概率", "Chance each plot is used"),
    "unc.tab_sites": ("地块", "Plots"),
    "unc.tab_projects": ("项目", "Projects"),
    "unc.tab_robust": ("稳健方案", "Robust plan"),
    "unc.robust_help": ("稳健方案：在所有固定方案中，按样本平均得分最高（平均遗憾最小）的一个，"
                        "共落位 {placed} 个项目；“实现概率”是该落位在样本中兑现（项目到来）的比例。",
                        "The robust plan: among all fixed "
                        "plans, the one of the best mean objective over the samples (least mean regret), placing "
                        "{placed} projects; 'realised' is the share of samples in which the placement holds (the "
                        "project arrives)."),
    "unc.pin_robust": ("把稳健方案设为锁定", "Lock the robust plan"),
    "unc.pinned": ("已锁定 {n} 个落位，见“情景”页的锁定表；重新运行即可得到该方案。", "{n} placements locked (see the "
                   "scenario page's lock table); a run now reproduces the plan."),
    "unc.download": ("下载抽样结果（zip）", "Download the sweep (zip)"),
    "unc.pareto_header": ("投资、盘活与配套距离的权衡", "Investment, revitalization and supplier distance"),
    "unc.pareto_help": ("ε 约束法：在盘活面积不低于、配套企业平均距离不高于各档水平的条件下，"
                        "求投资最大的方案（每点均证明最优）。情景的权重不参与，规则、锁定与排除照常。",
                        "Epsilon-constraint method: the most "
                        "investment under levels of revitalization (at least) and mean supplier distance (at most), "
                        "each point proven optimal. The scenario's weights do not apply; its rules, locks and "
                        "exclusions do."),
    "unc.levels": ("每个目标的档数", "Levels per objective"),
    "unc.levels_help": ("盘活与距离各分几档；共最多 档数×档数 个点。",
                        "Levels of revitalization and of distance: up to levels x levels points."),
    "unc.pareto_chart": ("圆点为前沿上的方案，颜色为配套平均距离；空心为被其他方案全面超过的方案。",
                         "Dots: plans on the front, coloured by mean supplier distance; hollow: beaten on all "
                         "three by another."),
    "unc.point": ("查看前沿点的方案", "Show the plan of point"),
    "unc.point_label": ("点 {point}：投资 {invest} 亿元，盘活 {revit} 亩当量，平均距离 {km} 公里", "Point {point}: "
                        "{invest} × 100M yuan, {revit} mu revitalized, {km} km mean distance"),
    "unc.pin_point": ("把点 {point} 的方案设为锁定", "Lock the plan of point {point}"),
    "unc.download_pareto": ("下载前沿（zip）", "Download the front (zip)"),
    "unc.status_none": ("无", "none"),
    "unc.status_failed": ("失败", "failed"),
    "unc.col_project_id": ("项目编号", "Project ID"),
    "unc.col_name": ("名称", "Name"),
    "unc.col_mode": ("落地方式", "Mode"),
    "unc.col_investment_yi": ("投资额（亿元）", "Investment (100M yuan)"),
    "unc.col_p_land": ("落地概率（%）", "Landing probability (%)"),
    "unc.col_p_land_source": ("概率来源", "Probability from"),
    "unc.col_p_arrived": ("样本中到来（%）", "Arrived in samples (%)"),
    "unc.col_p_placed": ("落位概率（%）", "Placed (% of samples)"),
    "unc.col_p_placed_if_arrived": ("到来时落位（%）", "Placed when arrived (%)"),
    "unc.col_top_site": ("最常落位地块", "Most frequent site"),
    "unc.col_top_site_share": ("落位于该地块（%）", "On that site (% of placements)"),
    "unc.col_site_id": ("地块编号", "Site ID"),
    "unc.col_kind": ("类型", "Kind"),
    "unc.col_status": ("状态", "Status"),
    "unc.col_unit": ("单位", "Unit"),
    "unc.col_capacity": ("容量", "Capacity"),
    "unc.col_p_used": ("使用概率（%）", "Used (% of samples)"),
    "unc.col_p_full": ("用满概率（%）", "Full (% of samples)"),
    "unc.col_mean_free": ("平均剩余", "Mean free"),
    "unc.col_mean_used": ("平均使用", "Mean used"),
    "unc.col_p_realised": ("实现概率（%）", "Realised (% of samples)"),
    "unc.col_mean_value": ("平均价值（亿元）", "Mean value (100M yuan)"),
    "unc.col_all_arrive_site_id": ("全部到来时的地块", "Site if all arrive"),
    "unc.col_point": ("点", "Point"),
    "unc.col_eps_revitalized_mu": ("盘活下限（亩当量）", "Revitalization at least (mu eq.)"),
    "unc.col_eps_mean_supplier_km": ("平均距离上限（公里）", "Mean distance at most (km)"),
    "unc.col_tie_break": ("次目标求解", "Tie-break solve"),
    "unc.col_investment_placed_yi": ("已落位投资（亿元）", "Investment placed (100M yuan)"),
    "unc.col_revitalized_mu": ("盘活（亩当量）", "Revitalized (mu eq.)"),
    "unc.col_revitalized_land_mu": ("盘活土地（亩）", "Land revitalized (mu)"),
    "unc.col_revitalized_floor_m2": ("盘活厂房（平方米）", "Floor revitalized (m2)"),
    "unc.col_mean_supplier_km": ("配套平均距离（公里）", "Mean supplier distance (km)"),
    "unc.col_suppliers_placed": ("落位配套企业数", "Suppliers placed"),
    "unc.col_projects_placed": ("落位项目数", "Projects placed"),
    "unc.col_on_front": ("在前沿上", "On the front"),
    "unc.col_same_as": ("与该点相同", "Same as point"),
    # the timeline page and the alternatives (issue 14)
    "page.timeline": ("时间轴", "Timeline"),
    "tl.header": ("全年评审会时间轴", "The year, review meeting by review meeting"),
    "tl.help": ("每次评审会按当日可供的地块为本次通过的项目落位，此前的落位保持不变；"
                "再与事后一次性求解（同样的日期规则，已证明最优）对比，"
                "指出哪些早期决定挡住了后来的项目、哪些地块值得预留。",
                "Each meeting places the projects it passed on the plots available by its date, keeping every "
                "earlier placement; the result is set beside hindsight (the same projects solved at once under the "
                "same date rules, proven optimal), with the early decisions that blocked later projects and the plots "
                "worth holding back."),
    "tl.no_meetings": ("项目表没有评审批次（review_meeting），无法按评审会回放。",
                       "The projects have no review meeting (review_meeting): there is no year to replay."),
    "tl.dates": ("评审会日期", "Meeting dates"),
    "tl.dates_help": ("默认取情景文件中各次评审会的日期；示例数据为 2022 年 13 次评审会的示意日期。",
                      "By default the meeting dates of the scenario file; for the sample, illustrative dates of the 13 "
                      "meetings of 2022."),
    "tl.run": ("回放全年", "Replay the year"),
    "tl.running": ("逐次求解评审会…", "Solving meeting by meeting…"),
    "tl.by_meeting": ("逐次决策", "Meeting by meeting"),
    "tl.hindsight": ("事后一次性求解", "Hindsight (all at once)"),
    "tl.kpi_projects": ("落位项目（个）", "Projects placed"),
    "tl.kpi_investment": ("落位投资（亿元）", "Investment placed (100M yuan)"),
    "tl.kpi_land": ("使用土地（亩）", "Land used (mu)"),
    "tl.status_optimal": ("已证明最优", "proven optimal"),
    "tl.status_feasible": ("可行，未证明最优", "feasible, not proven optimal"),
    "tl.status_time_limit": ("达到时间上限", "stopped at the time limit"),
    "tl.cost_line": ("逐次决策的代价：方案得分少 {objective} 亿元当量，投资 {investment} 亿元，土地 {land} 亩"
                     "（事后求解{status}；用时 {seconds} 秒）",
                     "What deciding meeting by meeting cost: {objective} × 100M yuan of score, {investment} × "
                     "100M yuan of investment, {land} mu of land (hindsight {status}; {seconds} s)"),
    "tl.chart": ("各次评审会的落位与用地", "Placements and land use by meeting"),
    "tl.chart_investment": ("本次落位投资（亿元）", "Investment placed (100M yuan)"),
    "tl.chart_cum_land": ("累计用地（亩）", "Land used so far (mu)"),
    "tl.chart_free_land": ("已供未用土地（亩）", "Land released and free (mu)"),
    "tl.map_at": ("地图：第几次评审会之后", "Map after meeting"),
    "tl.map_hindsight": ("改看事后一次性求解", "Show hindsight instead"),
    "tl.blocked": ("挡住后来项目的早期决定", "Early decisions that blocked later projects"),
    "tl.blocked_none": ("没有：事后求解落位的项目，逐次决策也都有地可落。",
                        "None: every project hindsight places found room meeting by meeting too."),
    "tl.reserve": ("预留建议（重放验证）", "Plots to hold back (replayed)"),
    "tl.reserve_none": ("无需预留。", "Nothing to hold back."),
    "tl.table": ("逐项目时间轴", "Timeline by project"),
    "tl.col_meeting": ("评审会", "Meeting"),
    "tl.col_date": ("日期", "Date"),
    "tl.col_project": ("项目编号", "Project"),
    "tl.col_name": ("项目名称", "Name"),
    "tl.col_site": ("地块编号", "Plot"),
    "tl.col_status": ("状态", "Status"),
    "tl.col_investment": ("投资额（亿元）", "Investment (100M yuan)"),
    "tl.col_land": ("用地（亩）", "Land (mu)"),
    "tl.col_floor": ("厂房（平方米）", "Floor (m2)"),
    "tl.col_reason": ("原因", "Reason"),
    "tl.col_hindsight_site": ("事后求解的地块", "Plot in hindsight"),
    "tl.placed": ("已落位", "placed"),
    "tl.unplaced": ("未落位", "unplaced"),
    "tl.download_csv": ("下载 timeline.csv", "Download timeline.csv"),
    "tl.download_json": ("下载 timeline_summary.json", "Download timeline_summary.json"),
    "alt.header": ("备选地块", "Alternatives"),
    "alt.help": ("每个已落位项目若不能用当前地块，次优的地块及其代价（固定该组合后重新求解其余项目，损失为精确值）。",
                 "For each placed project: if it cannot have its plot, the next-best plots and what each costs "
                 "(everything else re-optimised with that pair fixed; exact losses)."),
    "alt.k": ("每个项目的备选数（个）", "Alternatives per project"),
    "alt.run": ("计算备选地块", "Compute alternatives"),
    "alt.running": ("逐个重解…", "Re-solving…"),
    "alt.none": ("没有可换的地块。", "No project has another eligible plot."),
    "alt.project": ("项目", "Project"),
    "alt.line": ("若不在 {current}：{site}，损失 {loss} 亿元", "if not on {current}: {site}, costs {loss} × 100M yuan"),
    "alt.proven": ("精确", "exact"),
    "alt.not_proven": ("未证明，至少 {low} 亿元", "not proven, at least {low} × 100M yuan"),
    "alt.summary": ("{plans} 个与最优相差不超过 {tol} 的方案；每个方案都使用的地块：{sites}；"
                    "重解 {solves} 次，{seconds} 秒",
                    "{plans} plans within {tol} of the optimum; plots every one of them uses: {sites}; {solves} "
                    "re-solves, {seconds} s"),
    # results: per-mu efficiency (亩均)
    "eff.header": ("亩均效益", "Per-mu efficiency"),
    "eff.help": (
        "按落位项目申报的预计年产值、年税收与就业计算；厂房与平台按建筑面积折亩（666.67 平方米折 1 亩）。",
        "From the placed projects' expected annual output, tax and jobs; factory and platform floor counts in mu "
        "(666.67 m2 to the mu).",
    ),
    "eff.by_industry": ("分产业", "By industry"),
    "eff.grades": ("载体评级（按{by}，A/B/C/D 比例 {shares}）：{counts}",
                   "Sites graded on {by} (A/B/C/D shares {shares}): {counts}"),
    "eff.by_tax": ("亩均税收", "tax per mu"),
    "eff.by_output": ("亩均产值", "output per mu"),
    "eff.candidates": ("D类载体（盘活候选，地图上以红色虚线标出）", "D-grade sites (revitalization candidates, "
                       "outlined in dashed red on the map)"),
    "eff.no_candidates": ("没有 D 类载体。", "No site is graded D."),
    "eff.warnings": ("亩均下限提示", "Per-mu floor notes"),
}

ANCHOR_ZH: Final = {"XPeng": "小鹏汽车", "Ruiqing CATL": "瑞庆时代"}

#: What found the plan, by the code ``SolveReport.solver`` and ``summary.json`` carry: HiGHS and CBC are the
#: programs' own names, the rest said in words (a review meeting reads the workbook and the brief)
SOLVER_WORDS: Final[dict[str, tuple[str, str]]] = {
    "highs": ("HiGHS 混合整数规划", "HiGHS mixed-integer programming"),
    "cbc": ("CBC 混合整数规划", "CBC mixed-integer programming"),
    "highs-min-change": ("HiGHS 混合整数规划（第二次求解：最少调整）",
                         "HiGHS mixed-integer programming (a second solve: the fewest moves)"),
    "highs-patterns": ("HiGHS 线性规划，由按地块整体装填估算的理论最高得分证明最优",
                       "HiGHS linear programming, proven optimal by the whole-filling bound of each site"),
    "lp-core": ("HiGHS 线性规划取整及核心子问题求解", "HiGHS linear programming rounded, then its core sub-problems"),
    "greedy": ("快速初排（逐个项目择优落位）", "the quick first plan (each project on its best site in turn)"),
}
#: The plans a solve starts from (``code+source`` when such a plan was better than the solver's and was kept)
START_WORDS: Final[dict[str, tuple[str, str]]] = {
    "greedy": ("快速初排方案", "the quick first plan"),
    "lp-rounding": ("线性规划取整的方案", "the LP rounded"),
    "pattern-rounding": ("按地块整体装填的线性规划取整的方案", "the site-pattern LP rounded"),
    "pattern-plan": ("由地块整体装填组合成的方案", "the plan made of whole site fillings"),
    "earlier-plan": ("此前的方案", "an earlier plan"),
    "highs-core": ("核心子问题的方案", "the core sub-problem's plan"),
}


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The UI string ``key`` in ``lang`` (``"zh"`` or ``"en"``), with ``{fields}`` filled in.

    Raises
    ------
    KeyError
        When ``key`` is not a known string.
    """
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def solver_label(code: str, lang: str = "zh") -> str:
    """What found the plan (``SolveReport.solver``'s code, ``solver+start`` when the start plan was kept) in
    words; a code not known is shown as it is."""
    solver, _, start = str(code).partition("+")
    at = 1 if lang == "en" else 0
    words = SOLVER_WORDS.get(solver.lower(), (solver, solver))[at]
    if not start:
        return words
    kept = START_WORDS.get(start.lower(), (start, start))[at]
    return f"{words}，保留更好的起始方案：{kept}" if at == 0 else f"{words}; the better start plan kept: {kept}"


def anchor_label(anchor: str, lang: str = "zh") -> str:
    """Display name of a canonical anchor (``"XPeng"`` -> ``"小鹏汽车"`` in Chinese)."""
    return ANCHOR_ZH.get(anchor, anchor) if lang != "en" else anchor


#: The bundled sample's scenarios by the name their files give: (Chinese name, Chinese description, English
#: description). A scenario a planner names himself is shown as he named it.
SAMPLE_SCENARIO_WORDS: Final[dict[str, tuple[str, str, str]]] = {
    "2022 review as recorded": (
        "2022 年评审结果（按记录锁定）",
        "2022 年评审结果（按报道记录）：中恒的 14 个项目锁定在中恒地块，岭南园锁定在原新桥地块，"
        "五家点名的配套企业锁定在小鹏配套零部件产业园；其余项目按投资最多安排。",
        "The 2022 review as recorded: the 14 Zhongheng projects on the Zhongheng plot, the Lingnan park on the "
        "former Xinqiao plot, the five named suppliers in the XPeng parts park (locked); the rest placed for the "
        "most investment.",
    ),
    "2022 review re-optimised": (
        "2022 年重新优化（不锁定）",
        "同一批项目，不锁定：投资额、落位项目数与盘活的低效土地和厂房一并考虑。",
        "The same inputs with no locks; investment, number of projects and revitalized land and floor weighed "
        "together.",
    ),
    "2022 review under uncertainty": (
        "2022 年评审（考虑项目可能不来）",
        "同一批项目，按报告的落地率抽样：每个项目按报告中的比例可能到来或不来。",
        "The same inputs, each project landing with the report's rate.",
    ),
    "NEV cluster": (
        "新能源汽车产业集聚",
        "新能源汽车产业集聚：小鹏汽车与瑞庆时代的配套企业尽量靠近龙头企业（配套企业离龙头每远 10 公里扣分）。",
        "Suppliers of XPeng and Ruiqing CATL pulled towards their anchor (a penalty per 10 km between a supplier "
        "and its anchor).",
    ),
    "land saving": (
        "节约集约用地",
        "节约集约用地：空闲储备地和一般工业地块（L10–L17）留待以后年份，盘活低效土地和厂房加分，可供地也可租赁的项目优先"
        "租用低效厂房，供地项目仍都能找到地块。中恒地块正好容纳其 14 个项目，故土地可用系数保持 1.0。",
        "The vacant reserve and general industrial plots (L10-L17) are kept back for later years and "
        "revitalizing inefficient land and factory floor is rewarded, so the projects that may build or rent are "
        "steered into leased inefficient factories, while every land project still finds a plot. The usable-land "
        "ratio stays 1.0 because the Zhongheng plot holds its 14 projects with no slack.",
    ),
}


def scenario_label(name: str, lang: str = "zh") -> str:
    """A scenario's name as shown in ``lang``: the sample's scenarios in Chinese in the Chinese UI."""
    words = SAMPLE_SCENARIO_WORDS.get(str(name))
    return words[0] if words is not None and lang != "en" else str(name)


def scenario_description(name: str, description: str, lang: str = "zh") -> str:
    """A scenario's description as shown in ``lang`` (the sample's in either language; others as written)."""
    words = SAMPLE_SCENARIO_WORDS.get(str(name))
    if words is None:
        return description
    return words[2] if lang == "en" else words[1]

