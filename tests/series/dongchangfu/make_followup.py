"""How 2_followup_2023-12-28.txt was written from 1_progress_2023-09-26.txt (a copy of the bundled sample
data/reports/004): a completion report three months later, edited the way such reports differ from the
progress report before them. Kept for provenance; the tests read the committed .txt files, not this script.

Run from the project root: .venv/bin/python tests/series/dongchangfu/make_followup.py
"""

from pathlib import Path

HERE = Path(__file__).parent
src = (HERE / "1_progress_2023-09-26.txt").read_text(encoding="utf-8").splitlines()
lines = {n + 1: text for n, text in enumerate(src)}  # 1-based, as `grep -n` prints them

# The opening: the team is printed with its session (十二届) and the period only by month.
lines[1] = ("按照省委统一部署,2022年11月至2023年1月,十二届省委第六巡视组对东昌府区开展了常规巡视。"
            "2023年3月23日,省委巡视组向东昌府区委反馈了巡视意见。按照巡视工作有关要求,现将巡视整改情况予以公布。")
done = "整改结果:已完成"
partial = "整改结果:阶段性完成"
# Item 7: the title reworded, one more measure, the deadline moved from 2023-12 to 2024-06.
lines[16] = "7.关于惠企政策兑现不及时,部分企业奖励资金拨付滞后的问题。"
lines[17] = lines[17].replace("争取2023年12月底前将奖励资金先拨付到位50%",
                              "已于11月底前将奖励资金拨付到位50%") + (
    "三是剩余奖励资金纳入2024年预算,争取2024年6月底前全部拨付到位。") + "\n" + partial
# Items 11, 12, 16: now complete (printed status).
for n in (24, 26, 34):
    lines[n] += "\n" + done
# Item 15: the project finished; its 年底 deadline is gone.
lines[33] = lines[33].replace("项目正在有序推进,争取年底前完工", "项目已于12月完工并投入运营") + "\n" + done
# Item 19: the December soil work done, the 2024 deadlines stay.
lines[41] = lines[41].replace(
    "一是预计12月份完成东发制革厂污染土壤清挖转运、清挖基坑洁净土回填工作,",
    "一是12月份已完成东发制革厂污染土壤清挖转运、清挖基坑洁净土回填工作。计划") + "\n" + partial
# Item 21: the final handover moved from the end of 2026 to mid-2027.
lines[45] = lines[45].replace("力争2026年底实现全部交付", "力争2027年6月底前实现全部交付") + "\n" + partial
# Item 27 is left out of the completion report (published reports omit items).
lines[56] = lines[57] = None
# (二)4 and (二)6 merged into one item; the items after it are renumbered.
lines[69] = "4.关于对重点行业、关键领域监管不到位,履行重点行业监管责任流于形式的问题。"
lines[70] = lines[70] + lines[74].replace("一是强化重点行业", "四是强化重点行业").replace(
    "二是加强安全生产", "五是加强安全生产").replace("三是做好专项督导", "六是做好专项督导") + "\n" + done
lines[71] = lines[71].replace("5.", "5.", 1)
lines[73] = lines[74] = None
lines[75] = lines[75].replace("7.", "6.", 1)
lines[77] = lines[77].replace("8.", "7.", 1)
lines[79] = lines[79].replace("9.", "8.", 1)
# Item (三)2 (酒驾) reported closed, so that its return in the next round is a 屡改屡犯 candidate.
lines[98] += "\n" + done
# A problem found while rectifying (举一反三), new in this report: it must not link to anything.
lines[98] += ("\n3.关于政府采购项目履约验收管理不规范的问题。\n"
              "一是印发《政府采购履约验收管理办法》,明确采购人履约验收主体责任。"
              "二是对2022年以来的126个政府采购项目开展专项检查,发现问题9个,已全部整改。\n" + done)
# The closing and signature: a completion report at the end of the year.
lines[102] = lines[102].replace("经过3个月的集中整改", "经过9个月的整改")
lines[len(src) - 1] = "2023年12月28日"
out = "\n".join(text for _, text in sorted(lines.items()) if text is not None) + "\n"
(HERE / "2_followup_2023-12-28.txt").write_text(out, encoding="utf-8")
