"""Real place and department names the corpus generator draws inspected units from."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Province City: county county …" (continuation lines are indented). Real names (2024 administrative
# divisions); the corpus only needs them to look and segment like real units, not to be exhaustive.
_PLACES_TEXT = """
浙江省 杭州市: 上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 富阳区 临安区 桐庐县 淳安县 建德市
浙江省 宁波市: 海曙区 江北区 北仑区 镇海区 鄞州区 奉化区 象山县 宁海县 余姚市 慈溪市
浙江省 温州市: 鹿城区 龙湾区 瓯海区 洞头区 永嘉县 平阳县 苍南县 文成县 泰顺县 瑞安市 乐清市
浙江省 湖州市: 吴兴区 南浔区 德清县 长兴县 安吉县
浙江省 嘉兴市: 南湖区 秀洲区 嘉善县 海盐县 海宁市 平湖市 桐乡市
浙江省 绍兴市: 越城区 柯桥区 上虞区 新昌县 诸暨市 嵊州市
浙江省 金华市: 婺城区 金东区 武义县 浦江县 磐安县 兰溪市 义乌市 东阳市 永康市
浙江省 台州市: 椒江区 黄岩区 路桥区 三门县 天台县 仙居县 温岭市 临海市 玉环市
浙江省 丽水市: 莲都区 青田县 缙云县 遂昌县 松阳县 云和县 庆元县 景宁畲族自治县 龙泉市
江苏省 南京市: 玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区
江苏省 苏州市: 虎丘区 吴中区 相城区 姑苏区 吴江区 常熟市 张家港市 昆山市 太仓市
江苏省 无锡市: 锡山区 惠山区 滨湖区 梁溪区 新吴区 江阴市 宜兴市
江苏省 常州市: 天宁区 钟楼区 新北区 武进区 金坛区 溧阳市
江苏省 南通市: 崇川区 通州区 海门区 如东县 启东市 如皋市 海安市
江苏省 徐州市: 鼓楼区 云龙区 贾汪区 泉山区 铜山区 丰县 沛县 睢宁县 新沂市 邳州市
江苏省 扬州市: 广陵区 邗江区 江都区 宝应县 仪征市 高邮市
江苏省 盐城市: 亭湖区 盐都区 大丰区 响水县 滨海县 阜宁县 射阳县 建湖县 东台市
山东省 济南市: 历下区 市中区 槐荫区 天桥区 历城区 长清区 章丘区 济阳区 莱芜区 钢城区 平阴县 商河县
山东省 青岛市: 市南区 市北区 黄岛区 崂山区 李沧区 城阳区 即墨区 胶州市 平度市 莱西市
山东省 聊城市: 东昌府区 茌平区 阳谷县 莘县 东阿县 冠县 高唐县 临清市
山东省 潍坊市: 潍城区 寒亭区 坊子区 奎文区 临朐县 昌乐县 青州市 诸城市 寿光市 安丘市 高密市 昌邑市
山东省 临沂市: 兰山区 罗庄区 河东区 沂南县 郯城县 沂水县 兰陵县 费县 平邑县 莒南县 蒙阴县 临沭县
山东省 烟台市: 芝罘区 福山区 牟平区 莱山区 蓬莱区 龙口市 莱阳市 莱州市 招远市 栖霞市 海阳市
湖南省 长沙市: 芙蓉区 天心区 岳麓区 开福区 雨花区 望城区 长沙县 浏阳市 宁乡市
湖南省 株洲市: 荷塘区 芦淞区 石峰区 天元区 渌口区 攸县 茶陵县 炎陵县 醴陵市
湖南省 湘潭市: 雨湖区 岳塘区 湘潭县 湘乡市 韶山市
湖南省 衡阳市: 珠晖区 雁峰区 石鼓区 蒸湘区 南岳区 衡阳县 衡南县 衡山县 衡东县 祁东县 耒阳市 常宁市
湖南省 岳阳市: 岳阳楼区 云溪区 君山区 岳阳县 华容县 湘阴县 平江县 汨罗市 临湘市
湖南省 常德市: 武陵区 鼎城区 安乡县 汉寿县 澧县 临澧县 桃源县 石门县 津市市
广东省 广州市: 荔湾区 越秀区 海珠区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区
广东省 深圳市: 罗湖区 福田区 南山区 宝安区 龙岗区 盐田区 龙华区 坪山区 光明区
广东省 佛山市: 禅城区 南海区 顺德区 三水区 高明区
广东省 惠州市: 惠城区 惠阳区 博罗县 惠东县 龙门县
广东省 江门市: 蓬江区 江海区 新会区 台山市 开平市 鹤山市 恩平市
四川省 成都市: 锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 新津区
    金堂县 大邑县 蒲江县 都江堰市 彭州市 邛崃市 崇州市 简阳市
四川省 绵阳市: 涪城区 游仙区 安州区 三台县 盐亭县 梓潼县 北川羌族自治县 平武县 江油市
四川省 宜宾市: 翠屏区 南溪区 叙州区 江安县 长宁县 高县 珙县 筠连县 兴文县 屏山县
河南省 郑州市: 中原区 二七区 管城回族区 金水区 上街区 惠济区 中牟县 巩义市 荥阳市 新密市 新郑市 登封市
河南省 洛阳市: 老城区 西工区 瀍河回族区 涧西区 偃师区 孟津区 洛龙区 新安县 栾川县 嵩县 汝阳县 宜阳县
    洛宁县 伊川县
河南省 开封市: 龙亭区 顺河回族区 鼓楼区 禹王台区 祥符区 杞县 通许县 尉氏县 兰考县
福建省 福州市: 鼓楼区 台江区 仓山区 马尾区 晋安区 长乐区 闽侯县 连江县 罗源县 闽清县 永泰县 平潭县 福清市
福建省 厦门市: 思明区 海沧区 湖里区 集美区 同安区 翔安区
福建省 泉州市: 鲤城区 丰泽区 洛江区 泉港区 惠安县 安溪县 永春县 德化县 石狮市 晋江市 南安市
安徽省 合肥市: 瑶海区 庐阳区 蜀山区 包河区 长丰县 肥东县 肥西县 庐江县 巢湖市
安徽省 芜湖市: 镜湖区 鸠江区 弋江区 湾沚区 繁昌区 南陵县 无为市
安徽省 安庆市: 迎江区 大观区 宜秀区 怀宁县 太湖县 宿松县 望江县 岳西县 桐城市 潜山市
湖北省 武汉市: 江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区 汉南区 蔡甸区 江夏区 黄陂区
    新洲区
湖北省 宜昌市: 西陵区 伍家岗区 点军区 猇亭区 夷陵区 远安县 兴山县 秭归县 宜都市 当阳市 枝江市
湖北省 襄阳市: 襄城区 樊城区 襄州区 南漳县 谷城县 保康县 老河口市 枣阳市 宜城市
江西省 南昌市: 东湖区 西湖区 青云谱区 青山湖区 新建区 红谷滩区 南昌县 安义县 进贤县
江西省 赣州市: 章贡区 南康区 赣县区 信丰县 大余县 上犹县 崇义县 安远县 定南县 全南县 宁都县 于都县 兴国县
    会昌县 寻乌县 石城县 瑞金市 龙南市
河北省 石家庄市: 长安区 桥西区 新华区 裕华区 藁城区 鹿泉区 栾城区 正定县 辛集市
河北省 保定市: 竞秀区 莲池区 满城区 清苑区 徐水区 涞水县 定兴县 易县 涿州市 安国市 高碑店市
陕西省 西安市: 新城区 碑林区 莲湖区 灞桥区 未央区 雁塔区 阎良区 临潼区 长安区 高陵区 鄠邑区 蓝田县 周至县
陕西省 宝鸡市: 渭滨区 金台区 陈仓区 凤翔区 岐山县 扶风县 眉县 陇县 千阳县 麟游县 凤县 太白县
"""


def _parse_places(text: str) -> dict[str, dict[str, tuple[str, ...]]]:
    places: dict[str, dict[str, tuple[str, ...]]] = {}
    for record in re.split(r"\n(?! )", text.strip()):
        head, _, counties = record.partition(":")
        province, city = head.split()
        places.setdefault(province, {})[city] = tuple(counties.split())
    return places


_PLACES = _parse_places(_PLACES_TEXT)

# Departments that are inspected (巡察/巡视) and publish their own reports; prefixed by a city or province.
DEPARTMENTS: tuple[str, ...] = (
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "行政审批服务局",
    "信访局",
    "林业局",
    "机关事务管理局",
    "体育局",
    "国有资产监督管理委员会",
)

# Bodies that publish the attachments of a combined (001-style) report, after the main unit's name.
ATTACHMENT_BODIES: tuple[tuple[str, str], ...] = (
    ("中共{u}纪律检查委员会", "{u}纪委监委"),
    ("中共{u}委员会组织部", "{u}委组织部"),
    ("{u}委巡察工作领导小组", "{u}委巡察工作领导小组"),
    ("中共{u}委员会宣传部", "{u}委宣传部"),
    ("中共{u}委员会政法委员会", "{u}委政法委"),
    ("{u}人民政府办公室", "{u}政府办"),
)


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    county: str

    @property
    def unit(self) -> str:
        """Short unit name as the parser should report it, e.g. "湖州市吴兴区"."""
        return f"{self.city}{self.county}"

    @property
    def short(self) -> str:
        """Name used inside the prose: "吴兴区" -> "吴兴"; names of two characters stay whole."""
        for suffix in ("区", "县", "市"):
            if self.county.endswith(suffix) and len(self.county) > 2:
                return self.county[: -len(suffix)]
        return self.county


def all_places() -> tuple[Place, ...]:
    """Every county-level place, in a fixed order (the generator relies on it for determinism)."""
    return tuple(
        Place(province, city, county)
        for province, cities in _PLACES.items()
        for city, counties in cities.items()
        for county in counties
    )


def cities() -> tuple[tuple[str, str], ...]:
    """(province, city) pairs, in a fixed order."""
    return tuple((p, c) for p, cs in _PLACES.items() for c in cs)
